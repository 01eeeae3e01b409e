package org.buildduty.app.store;

import static org.buildduty.app.store.JournalDb.exists;
import static org.buildduty.app.store.JournalDb.query;
import static org.buildduty.app.store.JournalDb.queryLong;
import static org.buildduty.app.store.JournalDb.update;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OperationQuery;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;

/**
 * The statements {@link SqliteJournal} and {@link PostgresJournal} both run on the tables they share, in SQL both
 * databases take, inside the caller's transaction (or read). {@code fail} makes the journal's own one-line error,
 * e.g. {@code unknown operation #12}.
 */
final class JournalTables {
    private static final String SELECT_OPERATION = "SELECT " + JournalRows.OPERATION_COLUMNS + " FROM operations ";
    /** Text a plan's JSON holds as it is and that SQL lower-cases as Java does: ASCII letters, digits, a few marks. */
    private static final Pattern PLAIN = Pattern.compile("[a-z0-9 ._:/@#+,%!-]+");

    private JournalTables() {
    }

    /** Inserts a new operation with its encoded plan; fails if its id is taken. */
    static int createOperation(Connection c, Operation op, String plan, Function<String, JournalException> fail)
            throws SQLException {
        if (exists(c, op.id())) {
            throw fail.apply("operation " + op.id() + " already exists");
        }
        return update(c, "INSERT INTO operations (id, kind, requester, origin_connector, origin_room, origin_thread, "
                + "plan_json, state, created_at, started_at, ended_at, detail) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", op.id(), op.kind(), op.requester(),
                op.origin().connectorId(), op.origin().room(), op.origin().thread(), plan, op.state(),
                op.createdAt(), op.startedAt(), op.endedAt());
    }

    /** Sets the state and detail; the first RUNNING sets started_at, a terminal state ended_at. */
    static int operationState(Connection c, OperationId id, OperationState state, Instant at, String detail,
            Function<String, JournalException> fail) throws SQLException {
        return requireFound(update(c, "UPDATE operations SET state = ?, detail = ?, "
                + "started_at = CASE WHEN ? = 1 AND started_at IS NULL THEN ? ELSE started_at END, "
                + "ended_at = CASE WHEN ? = 1 THEN ? ELSE ended_at END WHERE id = ?", state,
                detail == null ? "" : detail, state == OperationState.RUNNING, at, state.isTerminal(), at, id), id,
                fail);
    }

    static int hostStarted(Connection c, OperationId id, int stepIndex, String stepName, String host,
            boolean rollback, Instant at, Function<String, JournalException> fail) throws SQLException {
        requireFound(exists(c, id) ? 1 : 0, id, fail);
        return update(c, "INSERT INTO host_runs (op, step_index, step_name, host, rollback, started_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)", id, stepIndex, stepName, host, rollback, at);
    }

    /**
     * Ends the newest open run of that host at that step; a host that never started (skipped or cancelled) gets a
     * run with no start.
     */
    static int hostFinished(Connection c, OperationId id, int stepIndex, boolean rollback, StepResult result,
            Instant at, Function<String, JournalException> fail) throws SQLException {
        String kept = JournalRows.kept(result.kept());
        int n = update(c, "UPDATE host_runs SET ended_at = ?, outcome = ?, exit_code = ?, reason = ?, "
                + "last_line = ?, kept = ? WHERE id = (SELECT id FROM host_runs WHERE op = ? AND step_index = ? "
                + "AND rollback = ? AND host IS NOT DISTINCT FROM CAST(? AS TEXT) AND outcome IS NULL "
                + "ORDER BY id DESC LIMIT 1)", at, result.outcome(), result.exitCode(), result.reason(),
                result.lastLine(), kept, id, stepIndex, rollback, result.host());
        if (n > 0) {
            return n;
        }
        OperationRecord op = operation(c, id).orElseThrow(() -> fail.apply("unknown operation " + id));
        return update(c, "INSERT INTO host_runs (op, step_index, step_name, host, rollback, ended_at, outcome, "
                + "exit_code, reason, last_line, kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id,
                stepIndex, JournalRows.stepName(op.plan(), stepIndex, rollback), result.host(), rollback, at,
                result.outcome(), result.exitCode(), result.reason(), result.lastLine(), kept);
    }

    /** The sequence number of the operation's last written output line, 0 when it has none. */
    static long lastOutputSeq(Connection c, OperationId id, Function<String, JournalException> fail)
            throws SQLException {
        requireFound(exists(c, id) ? 1 : 0, id, fail);
        return queryLong(c, "SELECT coalesce(max(seq), 0) FROM output WHERE op = ?", id);
    }

    /** One page of written output lines (by primary key, so a long log is never loaded whole). */
    static List<OutputLine> output(Connection c, OperationId id, long afterSeq, int limit) throws SQLException {
        return query(c, "SELECT " + JournalRows.OUTPUT_COLUMNS + " FROM output WHERE op = ? AND seq > ? "
                + "ORDER BY seq LIMIT ?", JournalRows::outputLine, id, afterSeq, limit);
    }

    /** Sets the expiry and records the request, by the operation's requester. */
    static int approvalRequested(Connection c, OperationId id, int step, Instant expiresAt, Instant at,
            Function<String, JournalException> fail) throws SQLException {
        requireFound(update(c, "UPDATE operations SET expires_at = ? WHERE id = ?", expiresAt, id), id, fail);
        return update(c, "INSERT INTO approvals (op, kind, who, reason, at, step) "
                + "SELECT id, ?, requester, NULL, ?, ? FROM operations WHERE id = ?",
                ApprovalRecord.Kind.REQUESTED, at, step, id);
    }

    static int approvalEvent(Connection c, OperationId id, ApprovalRecord event,
            Function<String, JournalException> fail) throws SQLException {
        requireFound(exists(c, id) ? 1 : 0, id, fail);
        return update(c, "INSERT INTO approvals (op, kind, who, reason, at, step) VALUES (?, ?, ?, ?, ?, ?)", id,
                event.kind(), event.who(), event.reason(), event.at(), event.step());
    }

    static Optional<OperationRecord> operation(Connection c, OperationId id) throws SQLException {
        return query(c, SELECT_OPERATION + "WHERE id = ?", JournalRows::operation, id).stream().findFirst();
    }

    static List<OperationRecord> recent(Connection c, int limit, long beforeId) throws SQLException {
        return query(c, SELECT_OPERATION + "WHERE id < ? ORDER BY id DESC LIMIT ?", JournalRows::operation,
                beforeId, limit);
    }

    /**
     * {@link OperationQuery}: the SQL narrows by id, kind, state, creation second, and (ignoring case) requester
     * and the plain-ASCII pieces of the search words in the stored plan, a superset of the answer; the query's own
     * {@link OperationQuery#matches} then decides, batch after batch, until the limit is reached or the ids run out.
     */
    static List<OperationRecord> find(Connection c, OperationQuery q) throws SQLException {
        List<OperationRecord> out = new ArrayList<>();
        if (q.limit() == 0) {
            return out;
        }
        StringBuilder where = new StringBuilder("WHERE id < ?");
        List<Object> values = new ArrayList<>();
        if (!q.kind().isEmpty()) {
            where.append(" AND kind = ?");
            values.add(q.kind());
        }
        if (!q.states().isEmpty()) {
            where.append(" AND state IN (").append(String.join(", ", Collections.nCopies(q.states().size(), "?")))
                    .append(')');
            q.states().stream().sorted().forEach(values::add);
        }
        if (q.from() != null) {
            where.append(" AND substr(created_at, 1, 19) >= ?");
            values.add(second(q.from()));
        }
        if (q.to() != null) {
            where.append(" AND substr(created_at, 1, 19) <= ?");
            values.add(second(q.to()));
        }
        if (!q.requester().isEmpty()) {
            // the principal ends the stored connector:principal; matches() then checks it is the whole of it
            where.append(" AND lower(requester) LIKE lower(?) ESCAPE '!'");
            values.add("%" + likeEscape(q.requester()));
        }
        for (String word : q.words()) {
            for (String piece : word.split("=")) {
                if (!piece.isEmpty() && PLAIN.matcher(piece).matches()) {
                    where.append(" AND lower(plan_json) LIKE ? ESCAPE '!'");
                    values.add("%" + likeEscape(piece) + "%");
                }
            }
        }
        int batch = Math.max(100, Math.min(q.limit(), 1000) * 2);
        String sql = SELECT_OPERATION + where + " ORDER BY id DESC LIMIT ?";
        long before = q.beforeId();
        while (out.size() < q.limit()) {
            List<Object> bound = new ArrayList<>();
            bound.add(before);
            bound.addAll(values);
            bound.add(batch);
            List<OperationRecord> rows = query(c, sql, JournalRows::operation, bound.toArray());
            for (OperationRecord r : rows) {
                if (out.size() < q.limit() && q.matches(r)) {
                    out.add(r);
                }
            }
            if (rows.size() < batch) {
                break;
            }
            before = rows.get(rows.size() - 1).id().value();
            // few rows matched in Java: read more at a time
            batch = Math.min(batch * 2, 5000);
        }
        return out;
    }

    /** {@code 2026-11-21T10:00:00}: the second an instant falls in, as stored instants begin. */
    private static String second(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString().substring(0, 19);
    }

    /** Escapes LIKE's {@code %} and {@code _} with {@code !}. */
    private static String likeEscape(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    static List<OperationRecord> unfinished(Connection c) throws SQLException {
        return query(c, SELECT_OPERATION + "WHERE state IN (" + JournalRows.UNFINISHED + ") ORDER BY id",
                JournalRows::operation);
    }

    static List<HostRunRecord> hostRuns(Connection c, OperationId id) throws SQLException {
        return query(c, "SELECT " + JournalRows.HOST_RUN_COLUMNS + " FROM host_runs WHERE op = ? ORDER BY id",
                JournalRows::hostRun, id);
    }

    static List<ApprovalRecord> approvals(Connection c, OperationId id) throws SQLException {
        return query(c, "SELECT " + JournalRows.APPROVAL_COLUMNS + " FROM approvals WHERE op = ? ORDER BY id",
                JournalRows::approval, id);
    }

    static int connectorEvent(Connection c, ConnectorEventRecord e) throws SQLException {
        return update(c, "INSERT INTO connector_events (" + JournalRows.CONNECTOR_EVENT_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?)", e.connector(), e.state(), e.detail(), e.droppedLines(), e.at());
    }

    static List<ConnectorEventRecord> connectorEvents(Connection c, int limit) throws SQLException {
        return query(c, "SELECT " + JournalRows.CONNECTOR_EVENT_COLUMNS + " FROM connector_events "
                + "ORDER BY id DESC LIMIT ?", JournalRows::connectorEvent, limit);
    }

    static int putState(Connection c, String kind, String key, String body) throws SQLException {
        return update(c, "INSERT INTO state (kind, key, body) VALUES (?, ?, ?) "
                + "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body", kind, key, body);
    }

    static int removeState(Connection c, String kind, String key) throws SQLException {
        return update(c, "DELETE FROM state WHERE kind = ? AND key = ?", kind, key);
    }

    /** The records of one kind by key, in Java's string order whatever the database's collation. */
    static SortedMap<String, String> states(Connection c, String kind) throws SQLException {
        SortedMap<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : query(c, "SELECT key, body FROM state WHERE kind = ?",
                rs -> Map.entry(rs.getString(1), rs.getString(2)), kind)) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static int requireFound(int rows, OperationId id, Function<String, JournalException> fail) {
        if (rows == 0) {
            throw fail.apply("unknown operation " + id);
        }
        return rows;
    }
}
