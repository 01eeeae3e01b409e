package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;

/**
 * The journal's write side, as the engine uses it: ids, operations and their states, host runs, output, approvals
 * and connector events.
 *
 * <p>Every write is committed before it returns, so a state change is durable before it is announced. A failed
 * write throws {@link JournalException}; callers refuse the command rather than run unjournaled.
 */
public interface JournalWriter {
    /** Allocates the next operation id; ids are persisted and never repeat, even after a crash. */
    OperationId nextOperationId();

    /** Stores a new operation with its frozen plan and state. */
    void operationCreated(Operation op);

    /** Records a state change with its reason or summary. */
    void operationState(OperationId id, OperationState state, Instant at, String detail);

    /** Records that a host run (or a rollback's) began. */
    void hostStarted(OperationId id, int stepIndex, String stepName, String host, boolean rollback, Instant at);

    /** Records how a host run (or a rollback's) ended. */
    void hostFinished(OperationId id, int stepIndex, boolean rollback, StepResult result, Instant at);

    /** Appends one line of a host run's output. */
    void output(OperationId id, int stepIndex, String host, OutputChannel stream, String line, Instant at);

    /** Records an approval request and its expiry (kept across restarts). */
    default void approvalRequested(OperationId id, Instant expiresAt, Instant at) {
        approvalRequested(id, ApprovalRecord.START, expiresAt, at);
    }

    /**
     * Records a request for approval and its expiry (kept across restarts, replacing an earlier request's): the
     * operation's start approval ({@code step} {@link ApprovalRecord#START}) or the confirmation its {@code confirm}
     * step {@code step} waits for.
     */
    void approvalRequested(OperationId id, int step, Instant expiresAt, Instant at);

    /** Records an approval, denial or expiry. */
    void approvalEvent(OperationId id, ApprovalRecord event);

    /** Records a change of a connector's connection, with the count of chat lines it dropped. */
    void connectorEvent(ConnectorEventRecord event);

    /** Throws {@link JournalException} if the journal cannot take a write now (disk full, read-only). */
    void checkWritable();
}
