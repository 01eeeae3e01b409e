package org.buildduty.core.journal;

import java.util.List;
import java.util.Optional;

import org.buildduty.core.operation.OperationId;

/**
 * What the journal remembers, read-only: operations with their host runs, output and approvals, and connector
 * events. Commands ({@code ops}, {@code op}) and the web page read it; nothing here writes.
 */
public interface JournalHistory {
    /** The operation with this id, if the journal has it. */
    Optional<OperationRecord> operation(OperationId id);

    /** Newest first, ids below {@code beforeId} (use {@code Long.MAX_VALUE} for the newest). */
    List<OperationRecord> recent(int limit, long beforeId);

    /**
     * The operations {@code query} admits ({@link OperationQuery#matches}), newest first, at most
     * {@code query.limit()}: the web page's filters and search.
     */
    List<OperationRecord> find(OperationQuery query);

    /** Operations not in a terminal state (pending approval, queued, running, rolling back). */
    List<OperationRecord> unfinished();

    /** The host runs of an operation (forward and rollback), in the order they began. */
    List<HostRunRecord> hostRuns(OperationId id);

    /** Output lines with {@code seq > afterSeq}, at most {@code limit}, oldest first. */
    List<OutputLine> output(OperationId id, long afterSeq, int limit);

    /** The approval events of an operation, oldest first. */
    List<ApprovalRecord> approvals(OperationId id);

    /** The newest connector events, newest first. */
    List<ConnectorEventRecord> connectorEvents(int limit);

    /**
     * A view that only reads {@code history}: what it returns cannot be cast back to the journal's writes, so a
     * command handed it cannot write.
     */
    static JournalHistory readOnly(JournalHistory history) {
        return new ReadOnlyHistory(history);
    }
}
