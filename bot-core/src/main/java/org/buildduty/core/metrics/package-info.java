/**
 * The bot's meters, each named in one place, on Micrometer: commands, finished operations, live operations, step
 * runs, approvals, and per connector the messages sent, rate-limit waits and reconnects. Tags carry only names the
 * bot knows, never chat text.
 */
package org.buildduty.core.metrics;
