package org.buildduty.core.journal;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.buildduty.core.operation.OperationId;

/** {@link JournalHistory#readOnly}: every read passes through; the journal behind it is not reachable. */
final class ReadOnlyHistory implements JournalHistory {
    private final JournalHistory history;

    ReadOnlyHistory(JournalHistory history) {
        this.history = Objects.requireNonNull(history, "history");
    }

    @Override
    public Optional<OperationRecord> operation(OperationId id) {
        return history.operation(id);
    }

    @Override
    public List<OperationRecord> recent(int limit, long beforeId) {
        return history.recent(limit, beforeId);
    }

    @Override
    public List<OperationRecord> find(OperationQuery query) {
        return history.find(query);
    }

    @Override
    public List<OperationRecord> unfinished() {
        return history.unfinished();
    }

    @Override
    public List<HostRunRecord> hostRuns(OperationId id) {
        return history.hostRuns(id);
    }

    @Override
    public List<OutputLine> output(OperationId id, long afterSeq, int limit) {
        return history.output(id, afterSeq, limit);
    }

    @Override
    public List<ApprovalRecord> approvals(OperationId id) {
        return history.approvals(id);
    }

    @Override
    public List<ConnectorEventRecord> connectorEvents(int limit) {
        return history.connectorEvents(limit);
    }
}
