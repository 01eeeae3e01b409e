package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.exec.StepResult;

/**
 * One host run of one step (or of its rollback) in the journal.
 *
 * @param result null while it runs
 */
public record HostRunRecord(int stepIndex, String stepName, String host, boolean rollback, Instant startedAt,
        Instant endedAt, StepResult result) {
}
