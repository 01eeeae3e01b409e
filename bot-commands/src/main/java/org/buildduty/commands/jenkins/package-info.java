/**
 * Jenkins in one place: the REST client ({@code JenkinsClient}: trigger, queue, builds, stop, enable/disable, the
 * queue and executors), the {@code jenkins} step kind ({@code JenkinsExecutor}: build and follow, disable, enable,
 * idle), and {@code services.jenkins}, read by {@code JenkinsSettingsReader}. HTTP goes through bot-exec's shared
 * client factory.
 */
package org.buildduty.commands.jenkins;
