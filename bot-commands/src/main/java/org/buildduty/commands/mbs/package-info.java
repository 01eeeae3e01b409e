/**
 * The Module Build Service in one place: its client (shared reads through a cache timed by the injected ticker), the
 * {@code mbs} step kind that cancels a build, the {@code mbs info}, {@code mbs overview} and {@code mbs cancel}
 * commands, and the {@code mbs watch} service that follows builds and posts only what changed, its watches kept in the
 * journal; and {@code services.mbs}, read by {@code MbsSettingsReader}.
 */
package org.buildduty.commands.mbs;
