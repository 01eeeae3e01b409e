/** Runbook schedules: the service that runs scheduled runbooks and the {@code schedules} commands. */
package org.buildduty.commands.schedule;
