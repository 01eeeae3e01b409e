package org.buildduty.core.journal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;

/**
 * The durable record of everything the bot does: operations, host runs, output, approvals, connector events, and
 * the next id.
 *
 * <p>Every write is committed before it returns, so a state change is durable before it is announced. A failed
 * write throws {@link JournalException}; callers refuse the command rather than run unjournaled.
 */
public interface Journal extends AutoCloseable {
    /** Allocates the next operation id; ids are persisted and never repeat, even after a crash. */
    OperationId nextOperationId();

    /** Stores a new operation with its frozen plan and state. */
    void operationCreated(Operation op);

    /** Records a state change with its reason or summary. */
    void operationState(OperationId id, OperationState state, Instant at, String detail);

    void hostStarted(OperationId id, int stepIndex, String stepName, String host, boolean rollback, Instant at);

    void hostFinished(OperationId id, int stepIndex, boolean rollback, StepResult result, Instant at);

    void output(OperationId id, int stepIndex, String host, OutputChannel stream, String line, Instant at);

    /** Records an approval request and its expiry (kept across restarts). */
    void approvalRequested(OperationId id, Instant expiresAt, Instant at);

    /** Records an approval, denial or expiry. */
    void approvalEvent(OperationId id, ApprovalRecord event);

    Optional<OperationRecord> operation(OperationId id);

    /** Newest first, ids below {@code beforeId} (use {@code Long.MAX_VALUE} for the newest). */
    List<OperationRecord> recent(int limit, long beforeId);

    /** Operations not in a terminal state (pending approval, queued, running, rolling back). */
    List<OperationRecord> unfinished();

    List<HostRunRecord> hostRuns(OperationId id);

    /** Output lines with {@code seq > afterSeq}, at most {@code limit}, oldest first. */
    List<OutputLine> output(OperationId id, long afterSeq, int limit);

    List<ApprovalRecord> approvals(OperationId id);

    /** Records a change of a connector's connection, with the count of chat lines it dropped. */
    void connectorEvent(ConnectorEventRecord event);

    /** The newest connector events, newest first. */
    List<ConnectorEventRecord> connectorEvents(int limit);

    /**
     * Stores, or replaces, the durable record of a long-lived feature that is not an operation: an {@code mbs watch},
     * a scheduled announcement. {@code kind} names the feature, {@code key} the record within it, {@code body} is
     * the feature's own text (JSON). Committed before it returns, like every write.
     */
    void putState(String kind, String key, String body);

    /** Removes a record stored by {@link #putState}; nothing happens if there is none. */
    void removeState(String kind, String key);

    /** Every record of a kind, keyed and ordered by key. */
    SortedMap<String, String> states(String kind);

    /** Throws {@link JournalException} if the journal cannot take a write now (disk full, read-only). */
    void checkWritable();

    @Override
    void close();
}
