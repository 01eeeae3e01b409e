package org.buildduty.core.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OperationQuery;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

/**
 * A {@link Journal} held in memory with the same contract as the SQLite one, in all three roles (the engine's
 * writes, the history, the state records); thread-safe.
 *
 * <p>{@link #failWrites(boolean)} simulates a full disk: every write and {@link #checkWritable()} then throw
 * {@link JournalException}, while reads keep working.
 */
public final class InMemoryJournal implements Journal {
    private final Object lock = new Object();
    private final NavigableMap<Long, Entry> ops = new TreeMap<>();
    private final List<ConnectorEventRecord> connectorEvents = new ArrayList<>();
    private final Map<String, SortedMap<String, String>> states = new HashMap<>();
    private long nextId = 1;
    private boolean failWrites;
    private boolean closed;

    /** While true, writes and {@link #checkWritable()} throw {@link JournalException} as on a full disk. */
    public void failWrites(boolean fail) {
        synchronized (lock) {
            failWrites = fail;
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public OperationId nextOperationId() {
        synchronized (lock) {
            writable();
            return new OperationId(nextId++);
        }
    }

    @Override
    public void operationCreated(Operation op) {
        Objects.requireNonNull(op, "op");
        synchronized (lock) {
            writable();
            long id = op.id().value();
            if (ops.containsKey(id)) {
                throw new JournalException("operation " + op.id() + " already exists", null);
            }
            ops.put(id, new Entry(op));
            nextId = Math.max(nextId, id + 1);
        }
    }

    @Override
    public void operationState(OperationId id, OperationState state, Instant at, String detail) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        synchronized (lock) {
            writable();
            Entry e = entry(id);
            e.state = state;
            e.detail = detail == null ? "" : detail;
            if (state == OperationState.RUNNING && e.startedAt == null) {
                e.startedAt = at;
            }
            if (state.isTerminal()) {
                e.endedAt = at;
            }
        }
    }

    @Override
    public void hostStarted(OperationId id, int stepIndex, String stepName, String host, boolean rollback,
            Instant at) {
        Objects.requireNonNull(stepName, "stepName");
        Objects.requireNonNull(at, "at");
        synchronized (lock) {
            writable();
            entry(id).runs.add(new Run(stepIndex, stepName, host, rollback, at));
        }
    }

    @Override
    public void hostFinished(OperationId id, int stepIndex, boolean rollback, StepResult result, Instant at) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(at, "at");
        synchronized (lock) {
            writable();
            Entry e = entry(id);
            Run run = null;
            for (int i = e.runs.size() - 1; i >= 0 && run == null; i--) {
                Run r = e.runs.get(i);
                if (r.result == null && r.stepIndex == stepIndex && r.rollback == rollback
                        && Objects.equals(r.host, result.host())) {
                    run = r;
                }
            }
            if (run == null) {
                run = new Run(stepIndex, stepName(e.plan, stepIndex, rollback), result.host(), rollback, null);
                e.runs.add(run);
            }
            run.result = result;
            run.endedAt = at;
        }
    }

    @Override
    public void output(OperationId id, int stepIndex, String host, OutputChannel stream, String line, Instant at) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(at, "at");
        synchronized (lock) {
            writable();
            Entry e = entry(id);
            e.output.add(new OutputLine(e.output.size() + 1L, stepIndex, host, stream, line, at));
        }
    }

    @Override
    public void approvalRequested(OperationId id, int step, Instant expiresAt, Instant at) {
        Objects.requireNonNull(at, "at");
        synchronized (lock) {
            writable();
            Entry e = entry(id);
            e.expiresAt = expiresAt;
            e.approvals.add(new ApprovalRecord(ApprovalRecord.Kind.REQUESTED, e.requester, null, at, step));
        }
    }

    @Override
    public void approvalEvent(OperationId id, ApprovalRecord event) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.kind(), "kind");
        Objects.requireNonNull(event.at(), "at");
        synchronized (lock) {
            writable();
            entry(id).approvals.add(event);
        }
    }

    @Override
    public Optional<OperationRecord> operation(OperationId id) {
        synchronized (lock) {
            Entry e = ops.get(id.value());
            return e == null ? Optional.empty() : Optional.of(e.record());
        }
    }

    @Override
    public List<OperationRecord> recent(int limit, long beforeId) {
        synchronized (lock) {
            List<OperationRecord> out = new ArrayList<>();
            for (Entry e : ops.headMap(beforeId, false).descendingMap().values()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(e.record());
            }
            return out;
        }
    }

    @Override
    public List<OperationRecord> find(OperationQuery query) {
        synchronized (lock) {
            List<OperationRecord> out = new ArrayList<>();
            for (Entry e : ops.headMap(query.beforeId(), false).descendingMap().values()) {
                if (out.size() >= query.limit()) {
                    break;
                }
                OperationRecord r = e.record();
                if (query.matches(r)) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    @Override
    public List<OperationRecord> unfinished() {
        synchronized (lock) {
            List<OperationRecord> out = new ArrayList<>();
            for (Entry e : ops.values()) {
                if (!e.state.isTerminal()) {
                    out.add(e.record());
                }
            }
            return out;
        }
    }

    @Override
    public List<HostRunRecord> hostRuns(OperationId id) {
        synchronized (lock) {
            Entry e = ops.get(id.value());
            List<HostRunRecord> out = new ArrayList<>();
            if (e != null) {
                for (Run r : e.runs) {
                    out.add(new HostRunRecord(r.stepIndex, r.stepName, r.host, r.rollback, r.startedAt, r.endedAt,
                            r.result));
                }
            }
            return out;
        }
    }

    @Override
    public List<OutputLine> output(OperationId id, long afterSeq, int limit) {
        synchronized (lock) {
            Entry e = ops.get(id.value());
            if (e == null || limit <= 0) {
                return List.of();
            }
            // seq n sits at index n - 1
            int from = (int) Math.min(Math.max(afterSeq, 0), e.output.size());
            int to = (int) Math.min((long) from + limit, e.output.size());
            return List.copyOf(e.output.subList(from, to));
        }
    }

    @Override
    public List<ApprovalRecord> approvals(OperationId id) {
        synchronized (lock) {
            Entry e = ops.get(id.value());
            return e == null ? List.of() : List.copyOf(e.approvals);
        }
    }

    @Override
    public void connectorEvent(ConnectorEventRecord event) {
        Objects.requireNonNull(event, "event");
        synchronized (lock) {
            writable();
            connectorEvents.add(event);
        }
    }

    @Override
    public List<ConnectorEventRecord> connectorEvents(int limit) {
        synchronized (lock) {
            List<ConnectorEventRecord> newest = new ArrayList<>();
            for (int i = connectorEvents.size() - 1; i >= 0 && newest.size() < limit; i--) {
                newest.add(connectorEvents.get(i));
            }
            return newest;
        }
    }

    @Override
    public void putState(String kind, String key, String body) {
        Objects.requireNonNull(body, "body");
        synchronized (lock) {
            writable();
            states.computeIfAbsent(Objects.requireNonNull(kind, "kind"), k -> new TreeMap<>())
                    .put(Objects.requireNonNull(key, "key"), body);
        }
    }

    @Override
    public void removeState(String kind, String key) {
        synchronized (lock) {
            writable();
            SortedMap<String, String> m = states.get(kind);
            if (m != null) {
                m.remove(key);
            }
        }
    }

    @Override
    public SortedMap<String, String> states(String kind) {
        synchronized (lock) {
            return new TreeMap<>(states.getOrDefault(kind, new TreeMap<>()));
        }
    }

    @Override
    public void checkWritable() {
        synchronized (lock) {
            writable();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    private void writable() {
        if (closed) {
            throw new JournalException("in-memory journal: closed", null);
        }
        if (failWrites) {
            throw new JournalException("in-memory journal: disk full (simulated)", null);
        }
    }

    private Entry entry(OperationId id) {
        Entry e = ops.get(id.value());
        if (e == null) {
            throw new JournalException("in-memory journal: unknown operation " + id, null);
        }
        return e;
    }

    private static String stepName(OperationPlan plan, int index, boolean rollback) {
        if (index < 0 || index >= plan.steps().size()) {
            return "";
        }
        StepSpec s = plan.steps().get(index);
        return rollback && s.rollback() != null ? s.rollback().name() : s.name();
    }

    /** The mutable state of one operation. */
    private static final class Entry {
        final OperationId id;
        final OperationPlan plan;
        final Identity requester;
        final ChatAddress origin;
        final Instant createdAt;
        OperationState state;
        Instant startedAt;
        Instant endedAt;
        Instant expiresAt;
        String detail = "";
        final List<Run> runs = new ArrayList<>();
        final List<OutputLine> output = new ArrayList<>();
        final List<ApprovalRecord> approvals = new ArrayList<>();

        Entry(Operation op) {
            id = op.id();
            plan = op.plan();
            requester = op.requester();
            origin = op.origin();
            createdAt = op.createdAt();
            state = op.state();
            startedAt = op.startedAt();
            endedAt = op.endedAt();
        }

        OperationRecord record() {
            return new OperationRecord(id, plan, requester, origin, createdAt, state, startedAt, endedAt, expiresAt,
                    detail);
        }
    }

    /** One host run, finished when {@code result} is set. */
    private static final class Run {
        final int stepIndex;
        final String stepName;
        final String host;
        final boolean rollback;
        final Instant startedAt;
        Instant endedAt;
        StepResult result;

        Run(int stepIndex, String stepName, String host, boolean rollback, Instant startedAt) {
            this.stepIndex = stepIndex;
            this.stepName = stepName;
            this.host = host;
            this.rollback = rollback;
            this.startedAt = startedAt;
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "InMemoryJournal" + Map.of("operations", ops.size(), "nextId", nextId);
        }
    }
}
