package org.buildduty.app.store;

import static org.buildduty.app.store.JournalDb.query;
import static org.buildduty.app.store.JournalDb.queryLong;
import static org.buildduty.app.store.JournalDb.update;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import org.buildduty.core.journal.PlanCodec;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.time.Ticker;

/**
 * The {@link Journal} in a PostgreSQL database, with the same behaviour as {@link SqliteJournal}: every state change,
 * id allocation, host run and approval is committed before its method returns; output lines are buffered for at most
 * {@value #FLUSH_MILLIS} ms or {@value #MAX_BATCH} lines and always written in the same transaction as, so before,
 * any other write. Operation ids come from a sequence, so an id is never handed out twice, even after a rollback.
 *
 * <p>The schema is created or upgraded under a transaction-scoped advisory lock, so instances that open the same
 * database together do not race. One connection, guarded by a lock, serves every thread. Every failure becomes a
 * {@link JournalException} naming the database (never its password) and what went wrong ({@code disk full},
 * {@code connection lost}, ...).
 */
public final class PostgresJournal implements BotJournal {
    static final int MAX_BATCH = 500;
    static final long FLUSH_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresJournal.class);

    private final String name;
    private final Ticker ticker;
    private final PostgresErrors errors;
    private final Connection conn;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService flusher;
    /** Guarded by {@link #lock}, as are {@link #flushFailure} and {@link #closed}. */
    private final OutputBuffer buffer = new OutputBuffer();
    private JournalException flushFailure;
    private boolean closed;
    /** Set once this instance leads: every write checks it still does ({@link #fence}). */
    private volatile Fence fence;

    /**
     * What makes the journal's writes a leader's only: {@link #check} runs first in every write transaction, and
     * {@link #lost} is told when a write fails because the connection (and with it the leader's lock) is gone.
     */
    public interface Fence {
        /** Throws, or stops the process, unless this instance still holds the epoch it leads with. */
        void check(Connection c) throws SQLException;

        /** The connection failed ({@code why}, one line): the session's lock may be gone, so the leader stops. */
        void lost(String why);
    }

    private PostgresJournal(String name, Ticker ticker, PostgresErrors errors, Connection conn) {
        this.name = name;
        this.ticker = ticker;
        this.errors = errors;
        this.conn = conn;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "journal-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::backgroundFlush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to {@code url} ({@code postgresql://HOST:PORT/DB?user=USER&...} or the same with {@code jdbc:} in
     * front; pgjdbc's options such as {@code sslmode} pass through) and creates or upgrades the schema.
     *
     * @param password the password, or null when the server needs none (or the URL's options give it)
     * @throws JournalException if the server cannot be reached, refuses the login, or holds a newer schema
     */
    public static PostgresJournal open(String url, String password, Ticker ticker) {
        return open(url, password, ticker, null);
    }

    /**
     * The same; {@code deadPeer}, when not null, is how soon the server should notice this client vanished (its
     * host died or the network split): the session's TCP keepalives and user timeout are set from it, so a lock held
     * by the session goes with it in seconds rather than PostgreSQL's default of about two hours.
     */
    public static PostgresJournal open(String url, String password, Ticker ticker, Duration deadPeer) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(ticker, "ticker");
        String jdbc = url.startsWith("jdbc:") ? url : "jdbc:" + url;
        String name = displayName(jdbc.substring("jdbc:".length()));
        PostgresErrors errors = new PostgresErrors(name);
        Properties props = new Properties();
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("reWriteBatchedInserts", "true");
        props.setProperty("ApplicationName", "buildduty");
        props.setProperty("tcpKeepAlive", "true");
        if (deadPeer != null && !jdbc.contains("socketTimeout=")) {
            // a read that waits this long is on a dead server or network; a standby would otherwise wait forever
            props.setProperty("socketTimeout", String.valueOf(Math.max(30, deadPeer.toSeconds() * 3)));
        }
        Connection conn;
        try {
            conn = DriverManager.getConnection(jdbc, props);
        } catch (SQLException e) {
            throw errors.wrap("connecting", e);
        }
        PostgresJournal journal = new PostgresJournal(name, ticker, errors, conn);
        try {
            conn.setAutoCommit(false);
            if (deadPeer != null) {
                journal.transaction("setting its keepalives", c -> keepalives(c, deadPeer));
            }
            int found = journal.transaction("creating its tables", c -> PostgresSchema.migrate(c, errors));
            if (found < PostgresSchema.CURRENT) {
                LOG.info("journal {}: schema version {} -> {}", name, found, PostgresSchema.CURRENT);
            }
            return journal;
        } catch (SQLException e) {
            journal.closeQuietly();
            throw errors.wrap("connecting", e);
        } catch (RuntimeException e) {
            journal.closeQuietly();
            throw e;
        }
    }

    /**
     * Server-side keepalives for this session: first probe after a third of {@code deadPeer}, then every second,
     * three probes; and unacknowledged data dropped after {@code deadPeer}. Unix sockets ignore them.
     */
    private static Void keepalives(Connection c, Duration deadPeer) throws SQLException {
        long idle = Math.max(1, deadPeer.toSeconds() / 3);
        try (Statement st = c.createStatement()) {
            st.execute("SET tcp_keepalives_idle = " + idle);
            st.execute("SET tcp_keepalives_interval = 1");
            st.execute("SET tcp_keepalives_count = 3");
            st.execute("SET tcp_user_timeout = " + Math.max(1000, deadPeer.toMillis()));
        }
        c.commit();
        return null;
    }

    /** From now on every write first runs {@code fence}'s check, and a lost connection is reported to it. */
    public void fence(Fence f) {
        this.fence = Objects.requireNonNull(f, "fence");
    }

    /**
     * Runs leadership's own statements ({@code work}) on the journal's connection, in one committed transaction
     * under the journal's lock, with no fence check and no buffered output: the session that holds the leader's
     * advisory lock is the one that writes.
     */
    <T> T session(String doing, JournalDb.Work<T> work) {
        return transaction(doing, work);
    }

    /** The URL without the query (where a password may be). */
    static String displayName(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public OperationId nextOperationId() {
        return write("allocating an operation id", c -> new OperationId(queryLong(c,
                "SELECT nextval('operation_ids')")));
    }

    @Override
    public void operationCreated(Operation op) {
        Objects.requireNonNull(op, "op");
        String plan = PlanCodec.encode(op.plan());
        write("creating operation " + op.id(), c -> {
            JournalTables.createOperation(c, op, plan, errors::fail);
            // an id given from elsewhere must still never be handed out again
            query(c, "SELECT setval('operation_ids', ?) FROM operation_ids WHERE last_value <= ?",
                    rs -> rs.getLong(1), op.id(), op.id());
            return null;
        });
    }

    @Override
    public void operationState(OperationId id, OperationState state, Instant at, String detail) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        write("recording " + id + " " + state.label(), c -> {
            JournalTables.operationState(c, id, state, at, detail, errors::fail);
            if (state.isTerminal()) {
                buffer.forget(id.value());
            }
            return null;
        });
    }

    @Override
    public void hostStarted(OperationId id, int stepIndex, String stepName, String host, boolean rollback,
            Instant at) {
        Objects.requireNonNull(stepName, "stepName");
        Objects.requireNonNull(at, "at");
        write("recording a host start of " + id, c -> JournalTables.hostStarted(c, id, stepIndex, stepName, host,
                rollback, at, errors::fail));
    }

    @Override
    public void hostFinished(OperationId id, int stepIndex, boolean rollback, StepResult result, Instant at) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(at, "at");
        write("recording a host result of " + id, c -> JournalTables.hostFinished(c, id, stepIndex, rollback, result,
                at, errors::fail));
    }

    @Override
    public void output(OperationId id, int stepIndex, String host, OutputChannel stream, String line, Instant at) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(at, "at");
        lock.lock();
        try {
            ensureOpen();
            if (flushFailure != null) {
                flush();
            }
            Long last = buffer.lastSeq(id.value());
            if (last == null) {
                last = read("reading output of " + id, c -> JournalTables.lastOutputSeq(c, id, errors::fail));
            }
            // PostgreSQL text cannot hold NUL
            String text = line.indexOf('\0') < 0 ? line : line.replace('\0', '\uFFFD');
            buffer.add(id.value(), new OutputLine(last + 1, stepIndex, host, stream, text, at));
            if (buffer.size() >= MAX_BATCH) {
                try {
                    flush();
                } catch (JournalException e) {
                    // this line is refused; the earlier ones stay buffered for a retry
                    buffer.removeLast(id.value());
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void approvalRequested(OperationId id, int step, Instant expiresAt, Instant at) {
        Objects.requireNonNull(at, "at");
        write("recording an approval request of " + id, c -> JournalTables.approvalRequested(c, id, step, expiresAt,
                at, errors::fail));
    }

    @Override
    public void approvalEvent(OperationId id, ApprovalRecord event) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.kind(), "kind");
        Objects.requireNonNull(event.at(), "at");
        write("recording an approval event of " + id, c -> JournalTables.approvalEvent(c, id, event, errors::fail));
    }

    @Override
    public Optional<OperationRecord> operation(OperationId id) {
        return read("reading operation " + id, c -> JournalTables.operation(c, id));
    }

    @Override
    public List<OperationRecord> recent(int limit, long beforeId) {
        if (limit <= 0) {
            return List.of();
        }
        return read("listing recent operations", c -> JournalTables.recent(c, limit, beforeId));
    }

    @Override
    public List<OperationRecord> find(OperationQuery query) {
        return read("searching operations", c -> JournalTables.find(c, query));
    }

    @Override
    public List<OperationRecord> unfinished() {
        return read("listing unfinished operations", JournalTables::unfinished);
    }

    @Override
    public List<HostRunRecord> hostRuns(OperationId id) {
        return read("reading host runs of " + id, c -> JournalTables.hostRuns(c, id));
    }

    /** One page from the table (by primary key), then any buffered lines. */
    @Override
    public List<OutputLine> output(OperationId id, long afterSeq, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        lock.lock();
        try {
            List<OutputLine> page = read("reading output of " + id, c -> JournalTables.output(c, id, afterSeq,
                    limit));
            buffer.appendTo(page, id.value(), page.isEmpty() ? afterSeq : page.get(page.size() - 1).seq(), limit);
            return page;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ApprovalRecord> approvals(OperationId id) {
        return read("reading approvals of " + id, c -> JournalTables.approvals(c, id));
    }

    @Override
    public void connectorEvent(ConnectorEventRecord e) {
        Objects.requireNonNull(e, "event");
        write("recording a connector event of " + e.connector(), c -> JournalTables.connectorEvent(c, e));
    }

    @Override
    public List<ConnectorEventRecord> connectorEvents(int limit) {
        return read("reading connector events", c -> JournalTables.connectorEvents(c, limit));
    }

    @Override
    public void putState(String kind, String key, String body) {
        Objects.requireNonNull(body, "body");
        write("storing " + kind + " " + key, c -> JournalTables.putState(c, kind, key, body));
    }

    @Override
    public void removeState(String kind, String key) {
        write("removing " + kind + " " + key, c -> JournalTables.removeState(c, kind, key));
    }

    @Override
    public SortedMap<String, String> states(String kind) {
        return read("reading " + kind + " records", c -> JournalTables.states(c, kind));
    }

    /** Checks a real write (the heartbeat row, together with any buffered output) commits. */
    @Override
    public void checkWritable() {
        write("checking it is writable", c -> update(c, "UPDATE heartbeat SET at = ?, writes = writes + 1 "
                + "WHERE id = 1", ticker.now()));
    }

    /**
     * {@inheritDoc} The space is not given back to the file system: (auto)vacuum makes it free for the rows written
     * next. Instants are compared as text, byte by byte, as in SQLite, whatever the database's collation.
     */
    @Override
    public Pruned prune(Instant cutoff, int keepNewest, String note) {
        Objects.requireNonNull(cutoff, "cutoff");
        long before = sizeBytes();
        JournalPruning.Deleted deleted = JournalPruning.prune(this::write, "ended_at COLLATE \"C\"", cutoff,
                keepNewest, ticker.now(), note);
        return new Pruned(deleted.operations(), deleted.lines(), before, sizeBytes());
    }

    @Override
    public Optional<String> outputPruned(OperationId id) {
        return read("reading when " + id + " was pruned", c -> JournalPruning.note(c, id));
    }

    /**
     * The journal's tables (and the sequence), with their indexes and TOAST data ({@code pg_total_relation_size}):
     * what the journal takes of the database, not of other applications sharing it.
     */
    @Override
    public long sizeBytes() {
        return read("reading its size", c -> queryLong(c, "SELECT coalesce(sum(pg_total_relation_size("
                + "to_regclass(t))), 0) FROM unnest(ARRAY['" + String.join("', '", PostgresSchema.RELATIONS)
                + "']) AS t"));
    }

    @Override
    public void flush() {
        write("writing output", c -> null);
    }

    /** Writes buffered output, then closes the connection; throws if output could not be written. */
    @Override
    public void close() {
        JournalException failure = null;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                flush();
            } catch (JournalException e) {
                failure = e;
            }
            closed = true;
            try {
                conn.close();
            } catch (SQLException e) {
                JournalException closing = errors.wrap("closing it", e);
                if (failure == null) {
                    failure = closing;
                } else {
                    failure.addSuppressed(closing);
                }
            }
        } finally {
            lock.unlock();
            flusher.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeQuietly() {
        lock.lock();
        try {
            closed = true;
            conn.close();
        } catch (SQLException e) {
            LOG.debug("closing {}", name, e);
        } finally {
            lock.unlock();
            flusher.shutdownNow();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw errors.fail("closed");
        }
    }

    private void backgroundFlush() {
        lock.lock();
        try {
            if (!closed && !buffer.isEmpty()) {
                flush();
            }
        } catch (RuntimeException e) {
            if (flushFailure == null) {
                LOG.warn("{}; output is kept in memory and retried", e.getMessage(), e);
            }
            flushFailure = e instanceof JournalException failure ? failure : errors.fail(e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} after inserting the buffered output, all in one committed transaction. */
    private <T> T write(String doing, JournalDb.Work<T> work) {
        lock.lock();
        try {
            Fence f = fence;
            T result;
            try {
                result = transaction(doing, c -> {
                    if (f != null) {
                        f.check(c);
                    }
                    buffer.writeTo(c);
                    return work.run(c);
                });
            } catch (JournalException e) {
                if (f != null && connectionLost(e)) {
                    f.lost(e.getMessage());
                }
                throw e;
            }
            buffer.written();
            flushFailure = null;
            return result;
        } catch (JournalException e) {
            if (e.getCause() instanceof SQLException && !buffer.isEmpty()) {
                flushFailure = e;
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Runs read-only {@code work} in its own short transaction. */
    private <T> T read(String doing, JournalDb.Work<T> work) {
        return transaction(doing, work);
    }

    /** Runs {@code work} in one committed transaction under the lock; on any failure rolls back and throws. */
    private <T> T transaction(String doing, JournalDb.Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            try {
                T result = work.run(conn);
                conn.commit();
                return result;
            } catch (SQLException e) {
                rollback(e);
                throw errors.wrap(doing, e);
            } catch (JournalException e) {
                rollback(e);
                throw e;
            } catch (RuntimeException e) {
                rollback(e);
                throw new JournalException("journal " + name + ": unreadable data while " + doing + " (" + e + ")",
                        e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** True when {@code e} comes from a connection that broke (or that the server closed), not a refused write. */
    boolean connectionLost(JournalException e) {
        if (e.getCause() instanceof SQLException sql) {
            String state = sql.getSQLState();
            if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                return true;
            }
        }
        try {
            return conn.isClosed();
        } catch (SQLException ignored) {
            return true;
        }
    }

    private void rollback(Exception primary) {
        try {
            conn.rollback();
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "PostgresJournal[" + name + "]";
    }
}
