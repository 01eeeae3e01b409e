package org.buildduty.app.store;

import static org.buildduty.app.store.JournalRows.bind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import org.buildduty.core.exec.OutputStream;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.journal.PlanCodec;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Ticker;

/**
 * The {@link Journal} in one SQLite file (WAL, {@code synchronous=FULL}, foreign keys on), used by one bot at a time.
 *
 * <p>Durability: every state change, id allocation, host run and approval is committed (and fsynced) before its
 * method returns. Output lines are the one exception: they are buffered for at most {@value #FLUSH_MILLIS} ms or
 * {@value #MAX_BATCH} lines and written in one transaction, and the buffer is always written in the same transaction
 * as, so before, any other write, and on {@link #close()}. A crash can therefore lose only the last fraction of a
 * second of output, never a state change; a line that is served by {@link #output(OperationId, long, int)} before it
 * is written comes from the buffer. If writing the buffer fails (disk full), the lines are kept for a retry and the
 * next write throws.
 *
 * <p>Calls come from many threads; one connection is guarded by a lock. A sidecar {@code <file>.lock}, locked for as
 * long as the journal is open, keeps a second bot out. Every SQLite failure becomes a {@link JournalException} such
 * as {@code journal data/buildduty.db: disk full while writing output (...)}.
 */
public final class SqliteJournal implements Journal {
    static final int MAX_BATCH = 500;
    static final long FLUSH_MILLIS = 100;
    /** Less free space than this on the file system and {@link #checkWritable()} reports a full disk. */
    static final long MIN_FREE_BYTES = 1024 * 1024;
    /** Fewer pages than this left below {@code max_page_count} and {@link #checkWritable()} reports a full disk. */
    static final long MIN_FREE_PAGES = 16;

    private static final Logger LOG = LoggerFactory.getLogger(SqliteJournal.class);
    private static final String UNFINISHED = Arrays.stream(OperationState.values())
            .filter(s -> !s.isTerminal()).map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));

    private final Path file;
    private final SqliteErrors errors;
    private final Ticker ticker;
    private final JournalFileLock fileLock;
    private final Connection conn;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService flusher;
    /** Output lines not yet written, oldest first; guarded by {@link #lock}. */
    private final List<PendingLine> buffer = new ArrayList<>();
    /** Last sequence number handed out per operation (including buffered lines); guarded by {@link #lock}. */
    private final Map<Long, Long> lastSeq = new HashMap<>();
    private JournalException flushFailure;
    private boolean closed;

    private SqliteJournal(Path file, SqliteErrors errors, Ticker ticker, JournalFileLock fileLock, Connection conn) {
        this.file = file;
        this.errors = errors;
        this.ticker = ticker;
        this.fileLock = fileLock;
        this.conn = conn;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "journal-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::backgroundFlush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens (creating it and its directories if needed) the journal in {@code file}, stamping with the system clock. */
    public static SqliteJournal open(Path file) {
        return open(file, Ticker.system());
    }

    /**
     * Opens the journal in {@code file}, creating it and its parent directories if needed.
     *
     * @throws JournalException if the file is not a SQLite database, is newer than this bot, cannot be created, or is
     *     in use by another running bot
     */
    public static SqliteJournal open(Path file, Ticker ticker) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(ticker, "ticker");
        SqliteErrors errors = new SqliteErrors(file.toString());
        Path absolute = file.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new JournalException("journal " + file + ": cannot create directory " + absolute.getParent() + " ("
                    + e + ")", e);
        }
        JournalFileLock fileLock = JournalFileLock.acquire(absolute, file.toString());
        Connection conn = null;
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(5_000);
            config.enforceForeignKeys(true);
            conn = DriverManager.getConnection("jdbc:sqlite:" + absolute, config.toProperties());
            int found = migrate(conn);
            if (found < JournalSchema.CURRENT) {
                LOG.info("journal {}: schema version {} -> {}", file, found, JournalSchema.CURRENT);
            }
            return new SqliteJournal(file, errors, ticker, fileLock, conn);
        } catch (SQLException | RuntimeException e) {
            closeAfterFailedOpen(conn, fileLock, e);
            if (e instanceof SQLException) {
                throw errors.wrap("opening it", (SQLException) e);
            }
            if (e instanceof IllegalStateException) {
                throw new JournalException("journal " + file + ": " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    private static int migrate(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                int found = JournalSchema.migrate(conn);
                st.execute("COMMIT");
                return found;
            } catch (SQLException | RuntimeException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        }
    }

    private static void closeAfterFailedOpen(Connection conn, JournalFileLock fileLock, Exception primary) {
        try {
            if (conn != null) {
                conn.close();
            }
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
        try {
            fileLock.close();
        } catch (JournalException e) {
            primary.addSuppressed(e);
        }
    }

    /** The file this journal lives in. */
    public Path file() {
        return file;
    }

    @Override
    public OperationId nextOperationId() {
        return write("allocating an operation id", c -> {
            long next;
            try (PreparedStatement ps = c.prepareStatement("SELECT next_value FROM sequence WHERE name = 'operation'");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw errors.fail("the operation id sequence is missing");
                }
                next = rs.getLong(1);
            }
            update(c, "UPDATE sequence SET next_value = ? WHERE name = 'operation'", next + 1);
            return new OperationId(next);
        });
    }

    @Override
    public void operationCreated(Operation op) {
        Objects.requireNonNull(op, "op");
        String plan = PlanCodec.encode(op.plan());
        write("creating operation " + op.id(), c -> {
            if (exists(c, op.id())) {
                throw errors.fail("operation " + op.id() + " already exists");
            }
            update(c, "INSERT INTO operations (id, kind, requester, origin_connector, origin_room, origin_thread, "
                    + "plan_json, state, created_at, started_at, ended_at, detail) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", op.id(), op.kind(), op.requester(),
                    op.origin().connectorId(), op.origin().room(), op.origin().thread(), plan, op.state(),
                    op.createdAt(), op.startedAt(), op.endedAt());
            update(c, "UPDATE sequence SET next_value = max(next_value, ?) WHERE name = 'operation'",
                    op.id().value() + 1);
            return null;
        });
    }

    @Override
    public void operationState(OperationId id, OperationState state, Instant at, String detail) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        write("recording " + id + " " + state.label(), c -> {
            int n = update(c, "UPDATE operations SET state = ?, detail = ?, "
                    + "started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END, "
                    + "ended_at = CASE WHEN ? THEN ? ELSE ended_at END WHERE id = ?", state,
                    detail == null ? "" : detail, state == OperationState.RUNNING, at, state.isTerminal(), at, id);
            requireFound(n, id);
            return null;
        });
        if (state.isTerminal()) {
            lock.lock();
            try {
                if (buffer.isEmpty()) {
                    lastSeq.remove(id.value());
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void hostStarted(OperationId id, int stepIndex, String stepName, String host, boolean rollback,
            Instant at) {
        Objects.requireNonNull(stepName, "stepName");
        Objects.requireNonNull(at, "at");
        write("recording a host start of " + id, c -> {
            requireFound(exists(c, id) ? 1 : 0, id);
            update(c, "INSERT INTO host_runs (op, step_index, step_name, host, rollback, started_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", id, stepIndex, stepName, host, rollback, at);
            return null;
        });
    }

    @Override
    public void hostFinished(OperationId id, int stepIndex, boolean rollback, StepResult result, Instant at) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(at, "at");
        write("recording a host result of " + id, c -> {
            int n = update(c, "UPDATE host_runs SET ended_at = ?, outcome = ?, exit_code = ?, reason = ?, "
                    + "last_line = ? WHERE id = (SELECT id FROM host_runs WHERE op = ? AND step_index = ? "
                    + "AND rollback = ? AND host IS ? AND outcome IS NULL ORDER BY id DESC LIMIT 1)", at,
                    result.outcome(), result.exitCode(), result.reason(), result.lastLine(), id, stepIndex,
                    rollback, result.host());
            if (n == 0) {
                // a host that never started (skipped or cancelled): record it with no start
                OperationRecord op = findOperation(c, id).orElseThrow(() -> errors.fail("unknown operation " + id));
                update(c, "INSERT INTO host_runs (op, step_index, step_name, host, rollback, ended_at, outcome, "
                        + "exit_code, reason, last_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, stepIndex,
                        stepName(op.plan(), stepIndex, rollback), result.host(), rollback, at, result.outcome(),
                        result.exitCode(), result.reason(), result.lastLine());
            }
            return null;
        });
    }

    @Override
    public void output(OperationId id, int stepIndex, String host, OutputStream stream, String line, Instant at) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(at, "at");
        lock.lock();
        try {
            ensureOpen();
            if (flushFailure != null) {
                write("writing output", c -> null);
            }
            Long last = lastSeq.get(id.value());
            if (last == null) {
                last = read("reading output of " + id, c -> {
                    requireFound(exists(c, id) ? 1 : 0, id);
                    try (PreparedStatement ps = bind(c.prepareStatement(
                            "SELECT coalesce(max(seq), 0) FROM output WHERE op = ?"), id);
                            ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
            }
            long seq = last + 1;
            lastSeq.put(id.value(), seq);
            buffer.add(new PendingLine(id.value(), new OutputLine(seq, stepIndex, host, stream, line, at)));
            if (buffer.size() >= MAX_BATCH) {
                try {
                    write("writing output", c -> null);
                } catch (JournalException e) {
                    // this line is refused, the earlier ones stay buffered for a retry
                    buffer.remove(buffer.size() - 1);
                    lastSeq.put(id.value(), last);
                    flushFailure = e;
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void approvalRequested(OperationId id, Instant expiresAt, Instant at) {
        Objects.requireNonNull(at, "at");
        write("recording an approval request of " + id, c -> {
            requireFound(update(c, "UPDATE operations SET expires_at = ? WHERE id = ?", expiresAt, id), id);
            update(c, "INSERT INTO approvals (op, kind, who, reason, at) "
                    + "SELECT id, ?, requester, NULL, ? FROM operations WHERE id = ?",
                    ApprovalRecord.Kind.REQUESTED, at, id);
            return null;
        });
    }

    @Override
    public void approvalEvent(OperationId id, ApprovalRecord event) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.kind(), "kind");
        Objects.requireNonNull(event.at(), "at");
        write("recording an approval event of " + id, c -> {
            requireFound(exists(c, id) ? 1 : 0, id);
            update(c, "INSERT INTO approvals (op, kind, who, reason, at) VALUES (?, ?, ?, ?, ?)", id, event.kind(),
                    event.who(), event.reason(), event.at());
            return null;
        });
    }

    @Override
    public Optional<OperationRecord> operation(OperationId id) {
        return read("reading operation " + id, c -> findOperation(c, id));
    }

    @Override
    public List<OperationRecord> recent(int limit, long beforeId) {
        if (limit <= 0) {
            return List.of();
        }
        return read("listing recent operations", c -> query(c, "SELECT " + JournalRows.OPERATION_COLUMNS
                + " FROM operations WHERE id < ? ORDER BY id DESC LIMIT ?", JournalRows::operation, beforeId, limit));
    }

    @Override
    public List<OperationRecord> unfinished() {
        return read("listing unfinished operations", c -> query(c, "SELECT " + JournalRows.OPERATION_COLUMNS
                + " FROM operations WHERE state IN (" + UNFINISHED + ") ORDER BY id", JournalRows::operation));
    }

    @Override
    public List<HostRunRecord> hostRuns(OperationId id) {
        return read("reading host runs of " + id, c -> query(c, "SELECT " + JournalRows.HOST_RUN_COLUMNS
                + " FROM host_runs WHERE op = ? ORDER BY id", JournalRows::hostRun, id));
    }

    @Override
    public List<OutputLine> output(OperationId id, long afterSeq, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        lock.lock();
        try {
            List<OutputLine> lines = read("reading output of " + id, c -> query(c, "SELECT "
                    + JournalRows.OUTPUT_COLUMNS + " FROM output WHERE op = ? AND seq > ? ORDER BY seq LIMIT ?",
                    JournalRows::outputLine, id, afterSeq, limit));
            // buffered lines of an operation all come after its written ones
            long after = lines.isEmpty() ? afterSeq : lines.get(lines.size() - 1).seq();
            for (PendingLine p : buffer) {
                if (lines.size() >= limit) {
                    break;
                }
                if (p.op == id.value() && p.line.seq() > after) {
                    lines.add(p.line);
                }
            }
            return lines;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ApprovalRecord> approvals(OperationId id) {
        return read("reading approvals of " + id, c -> query(c, "SELECT " + JournalRows.APPROVAL_COLUMNS
                + " FROM approvals WHERE op = ? ORDER BY id", JournalRows::approval, id));
    }

    /**
     * Checks the file system has room, the database is below its page limit, and a real write (the heartbeat row,
     * together with any buffered output) commits.
     */
    @Override
    public void checkWritable() {
        lock.lock();
        try {
            ensureOpen();
            long free;
            try {
                free = Files.getFileStore(file.toAbsolutePath()).getUsableSpace();
            } catch (IOException e) {
                throw new JournalException("journal " + file + ": cannot check free space (" + e + ")", e);
            }
            if (free < MIN_FREE_BYTES) {
                throw errors.fail("disk full (" + free / 1024 + " KiB free)");
            }
            write("checking it is writable", c -> {
                long pages = pragma(c, "page_count");
                long max = pragma(c, "max_page_count");
                if (max - pages < MIN_FREE_PAGES) {
                    throw errors.fail("disk full (the database is at its limit of " + max + " pages)");
                }
                update(c, "UPDATE heartbeat SET at = ?, writes = writes + 1 WHERE id = 1", ticker.now());
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    /** Writes buffered output lines now. */
    public void flush() {
        write("writing output", c -> null);
    }

    /** Writes buffered output, then closes the file and releases the lock; throws if the output could not be written. */
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
                JournalException je = errors.wrap("closing it", e);
                if (failure == null) {
                    failure = je;
                } else {
                    failure.addSuppressed(je);
                }
            }
            fileLock.close();
        } finally {
            lock.unlock();
            flusher.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** For tests: caps the database at {@code pages} pages (at least its current size), as a full disk would. */
    void maxPageCount(long pages) {
        lock.lock();
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA max_page_count = " + pages);
        } catch (SQLException e) {
            throw errors.wrap("setting max_page_count", e);
        } finally {
            lock.unlock();
        }
    }

    private void backgroundFlush() {
        lock.lock();
        try {
            if (closed || buffer.isEmpty()) {
                return;
            }
            write("writing output", c -> null);
        } catch (RuntimeException e) {
            if (flushFailure == null) {
                LOG.warn("{}; output is kept in memory and retried", e.getMessage(), e);
            }
            flushFailure = e instanceof JournalException ? (JournalException) e
                    : new JournalException("journal " + file + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} after writing the buffered output, all in one transaction, and commits. */
    private <T> T write(String doing, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            T result;
            try {
                result = transaction(doing, c -> {
                    writeBuffer(c);
                    return work.run(c);
                });
            } catch (JournalException e) {
                if (e.getCause() instanceof SQLException && !buffer.isEmpty()) {
                    // the storage failed: output() retries the buffer before taking more lines
                    flushFailure = e;
                }
                throw e;
            }
            buffer.clear();
            flushFailure = null;
            if (lastSeq.size() > 10_000) {
                lastSeq.clear();
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Runs read-only {@code work}; each statement sees committed data, and no write happens meanwhile. */
    private <T> T read(String doing, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return work.run(conn);
        } catch (SQLException e) {
            throw errors.wrap(doing, e);
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JournalException("journal " + file + ": unreadable data while " + doing + " (" + e + ")", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code work} in an explicit {@code BEGIN IMMEDIATE ... COMMIT}; on any failure rolls back (SQLite may
     * already have rolled back by itself, e.g. on a full disk) and throws.
     */
    private <T> T transaction(String doing, Work<T> work) {
        try {
            exec("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            throw errors.wrap(doing, e);
        }
        try {
            T result = work.run(conn);
            exec("COMMIT");
            return result;
        } catch (SQLException e) {
            rollback(e);
            throw errors.wrap(doing, e);
        } catch (JournalException e) {
            rollback(e);
            throw e;
        } catch (RuntimeException e) {
            rollback(e);
            throw new JournalException("journal " + file + ": unreadable data while " + doing + " (" + e + ")", e);
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    private void rollback(Exception primary) {
        try {
            exec("ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active" when SQLite rolled back already; anything else is kept with the cause
            if (e.getMessage() == null || !e.getMessage().contains("no transaction is active")) {
                primary.addSuppressed(e);
            }
        }
    }

    private void writeBuffer(Connection c) throws SQLException {
        if (buffer.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO output (op, seq, step_index, host, stream, line, "
                + "at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (PendingLine p : buffer) {
                OutputLine l = p.line;
                bind(ps, p.op, l.seq(), l.stepIndex(), l.host(), l.stream(), l.line(), l.at()).addBatch();
            }
            ps.executeBatch();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw errors.fail("closed");
        }
    }

    private void requireFound(int rows, OperationId id) {
        if (rows == 0) {
            throw errors.fail("unknown operation " + id);
        }
    }

    private static boolean exists(Connection c, OperationId id) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement("SELECT 1 FROM operations WHERE id = ?"), id);
                ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    private static Optional<OperationRecord> findOperation(Connection c, OperationId id) throws SQLException {
        List<OperationRecord> found = query(c, "SELECT " + JournalRows.OPERATION_COLUMNS
                + " FROM operations WHERE id = ?", JournalRows::operation, id);
        return found.stream().findFirst();
    }

    private static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), values)) {
            return ps.executeUpdate();
        }
    }

    private static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... values)
            throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), values); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String stepName(OperationPlan plan, int index, boolean rollback) {
        if (index < 0 || index >= plan.steps().size()) {
            return "";
        }
        StepSpec s = plan.steps().get(index);
        return rollback && s.rollback() != null ? s.rollback().name() : s.name();
    }

    @Override
    public String toString() {
        return "SqliteJournal[" + file + "]";
    }

    /** Database work inside one transaction. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Maps the current row. */
    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** A buffered output line of operation {@code op}. */
    private static final class PendingLine {
        final long op;
        final OutputLine line;

        PendingLine(long op, OutputLine line) {
            this.op = op;
            this.line = line;
        }
    }
}
