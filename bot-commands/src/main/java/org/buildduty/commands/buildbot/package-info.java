/**
 * Buildbot in one place: the REST client of a Buildbot 3.7 master (session login, force, cancel), the
 * {@code buildbot} step kind that forces a build and follows it to its end, the {@code force} and
 * {@code builds running} commands, and {@code GitRemote}, which resolves a branch or pull request to the exact commit
 * shown for approval; and {@code services.buildbot}, read by {@code BuildbotSettingsReader}. HTTP goes through
 * bot-exec's shared clients and sessions.
 */
package org.buildduty.commands.buildbot;
