/**
 * Scheduled maintenance windows: the {@code maintenance}, {@code maintenance list} and {@code maintenance cancel}
 * commands, and the service that announces each window, its reminder, start and end, with its records in the journal
 * so a restart never repeats or loses a notice.
 */
package org.buildduty.commands.maintenance;
