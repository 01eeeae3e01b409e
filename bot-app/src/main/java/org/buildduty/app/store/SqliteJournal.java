package org.buildduty.app.store;

import static org.buildduty.app.store.JournalDb.queryLong;
import static org.buildduty.app.store.JournalDb.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;

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
 * The {@link Journal} in one SQLite file (WAL, {@code synchronous=FULL}, foreign keys on), used by one bot at a time,
 * in all three roles: the engine's writes, the history commands and the web page read, and the state records.
 *
 * <p>Durability: every state change, id allocation, host run and approval is committed (and fsynced) before its
 * method returns. Output lines are the one exception: they are buffered for at most {@value #FLUSH_MILLIS} ms or
 * {@value #MAX_BATCH} lines and written in one transaction, and the buffer is always written in the same transaction
 * as, so before, any other write, and on {@link #close()}. A crash can therefore lose only the last fraction of a
 * second of output, never a state change. {@link #output(OperationId, long, int)} serves buffered lines too. If
 * writing the buffer fails (disk full), the lines are kept for a retry and the next output or write throws.
 *
 * <p>Calls come from many threads; one connection is guarded by a lock. A sidecar {@code <file>.lock}, locked for as
 * long as the journal is open, keeps a second bot out. Every SQLite failure becomes a {@link JournalException} such
 * as {@code journal data/buildduty.db: disk full while writing output (...)}.
 *
 * <p>The directories it creates are {@code 0700} and its files ({@code <file>}, {@code -wal}, {@code -shm},
 * {@code .lock}) {@code 0600}, whatever the umask ({@link PrivateFiles}).
 */
public final class SqliteJournal implements BotJournal {
    static final int MAX_BATCH = 500;
    static final long FLUSH_MILLIS = 100;
    /** Less free space than this on the file system and {@link #checkWritable()} reports a full disk. */
    static final long MIN_FREE_BYTES = 1024 * 1024;
    /** Fewer pages than this left below {@code max_page_count} and {@link #checkWritable()} reports a full disk. */
    static final long MIN_FREE_PAGES = 16;

    private static final Logger LOG = LoggerFactory.getLogger(SqliteJournal.class);
    private static final long AUTO_VACUUM_INCREMENTAL = 2;

    private final Path file;
    private final Ticker ticker;
    private final JournalFileLock fileLock;
    private final JournalDb db;
    private final ScheduledExecutorService flusher;
    /** Guarded by {@code db.lock}, as is {@link #flushFailure}. */
    private final OutputBuffer buffer = new OutputBuffer();
    private JournalException flushFailure;

    private SqliteJournal(Path file, Ticker ticker, JournalFileLock fileLock, JournalDb db) {
        this.file = file;
        this.ticker = ticker;
        this.fileLock = fileLock;
        this.db = db;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "journal-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::backgroundFlush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens (creating it and its directories if needed) the journal in {@code file}, stamped by the system clock. */
    public static SqliteJournal open(Path file) {
        return open(file, Ticker.system());
    }

    /**
     * Opens the journal in {@code file}, creating it and its parent directories if needed, and upgrades its schema.
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
            PrivateFiles.directories(absolute.getParent());
        } catch (IOException e) {
            throw errors.fail("cannot create directory " + absolute.getParent() + " (" + e + ")");
        }
        JournalFileLock fileLock = JournalFileLock.acquire(absolute, file.toString());
        JournalDb db = null;
        try {
            try {
                // SQLite gives the -wal and -shm files the database file's permissions
                PrivateFiles.file(absolute);
            } catch (IOException e) {
                throw errors.fail("cannot make " + absolute + " private to its user (" + e + ")");
            }
            try {
                db = JournalDb.connect(file, absolute, errors);
            } catch (SQLException e) {
                throw errors.wrap("opening it", e);
            }
            incrementalVacuumBeforeTables(db);
            int found = db.transaction("creating its tables", c -> JournalSchema.migrate(c, errors));
            incrementalVacuumAfterTables(db, file);
            try {
                PrivateFiles.restrict(absolute.resolveSibling(absolute.getFileName() + "-wal"));
                PrivateFiles.restrict(absolute.resolveSibling(absolute.getFileName() + "-shm"));
            } catch (IOException e) {
                throw errors.fail("cannot make its -wal and -shm files private to its user (" + e + ")");
            }
            if (found < JournalSchema.CURRENT) {
                LOG.info("journal {}: schema version {} -> {}", file, found, JournalSchema.CURRENT);
            }
            return new SqliteJournal(file, ticker, fileLock, db);
        } catch (RuntimeException e) {
            try {
                if (db != null) {
                    db.close();
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            fileLock.close();
            throw e;
        }
    }

    /** On a new file (no table yet) {@code auto_vacuum = INCREMENTAL} takes effect at once. */
    private static void incrementalVacuumBeforeTables(JournalDb db) {
        db.read("setting auto_vacuum", c -> {
            if (queryLong(c, "PRAGMA auto_vacuum") != AUTO_VACUUM_INCREMENTAL) {
                JournalDb.exec(c, "PRAGMA auto_vacuum = INCREMENTAL");
            }
            return null;
        });
    }

    /**
     * A journal written before retention existed has {@code auto_vacuum = NONE}; switching it needs one
     * {@code VACUUM}, which rewrites the file once (logged), so pruning can give space back from then on.
     */
    private static void incrementalVacuumAfterTables(JournalDb db, Path file) {
        db.read("switching auto_vacuum to incremental", c -> {
            if (queryLong(c, "PRAGMA auto_vacuum") != AUTO_VACUUM_INCREMENTAL) {
                LOG.info("journal {}: rewriting it once (VACUUM) so pruning gives space back", file);
                JournalDb.exec(c, "PRAGMA auto_vacuum = INCREMENTAL");
                JournalDb.exec(c, "VACUUM");
            }
            return null;
        });
    }

    /**
     * {@inheritDoc} Then the freed pages go back to the file system (incremental vacuum, WAL checkpoint).
     */
    @Override
    public Pruned prune(Instant cutoff, int keepNewest, String note) {
        Objects.requireNonNull(cutoff, "cutoff");
        long before = sizeBytes();
        JournalPruning.Deleted deleted = JournalPruning.prune(this::write, "ended_at", cutoff, keepNewest,
                ticker.now(), note);
        db.read("giving space back", c -> {
            // sqlite3_exec steps the statement to its end; JDBC's execute would step it once, freeing one page
            c.unwrap(SQLiteConnection.class).getDatabase()._exec("PRAGMA incremental_vacuum");
            JournalDb.exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
            return null;
        });
        return new Pruned(deleted.operations(), deleted.lines(), before, sizeBytes());
    }

    @Override
    public Optional<String> outputPruned(OperationId id) {
        return db.read("reading when " + id + " was pruned", c -> JournalPruning.note(c, id));
    }

    /** The journal's size on disk: the database file and its write-ahead log. */
    @Override
    public long sizeBytes() {
        long size = 0;
        Path absolute = file.toAbsolutePath();
        for (Path p : List.of(absolute, absolute.resolveSibling(absolute.getFileName() + "-wal"))) {
            try {
                size += Files.exists(p) ? Files.size(p) : 0;
            } catch (IOException e) {
                // gone meanwhile: counts as empty
            }
        }
        return size;
    }

    /** The database's page count (what an incremental vacuum lowers). */
    long pageCount() {
        return db.read("reading its page count", c -> queryLong(c, "PRAGMA page_count"));
    }

    /** Runs read-only {@code work} on the journal's connection, no write happening meanwhile ({@link JournalCopy}). */
    <T> T read(String doing, JournalDb.Work<T> work) {
        return db.read(doing, work);
    }

    /** The file this journal lives in. */
    public Path file() {
        return file;
    }

    @Override
    public OperationId nextOperationId() {
        return write("allocating an operation id", c -> {
            long next = queryLong(c, "SELECT next_value FROM sequence WHERE name = 'operation'");
            update(c, "UPDATE sequence SET next_value = ? WHERE name = 'operation'", next + 1);
            return new OperationId(next);
        });
    }

    @Override
    public void operationCreated(Operation op) {
        Objects.requireNonNull(op, "op");
        String plan = PlanCodec.encode(op.plan());
        write("creating operation " + op.id(), c -> {
            JournalTables.createOperation(c, op, plan, db.errors::fail);
            // an id given from elsewhere must still never be handed out again
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
            JournalTables.operationState(c, id, state, at, detail, db.errors::fail);
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
                rollback, at, db.errors::fail));
    }

    @Override
    public void hostFinished(OperationId id, int stepIndex, boolean rollback, StepResult result, Instant at) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(at, "at");
        write("recording a host result of " + id, c -> JournalTables.hostFinished(c, id, stepIndex, rollback, result,
                at, db.errors::fail));
    }

    @Override
    public void output(OperationId id, int stepIndex, String host, OutputChannel stream, String line, Instant at) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(at, "at");
        db.lock.lock();
        try {
            db.ensureOpen();
            if (flushFailure != null) {
                flush();
            }
            Long last = buffer.lastSeq(id.value());
            if (last == null) {
                last = db.read("reading output of " + id, c -> JournalTables.lastOutputSeq(c, id, db.errors::fail));
            }
            buffer.add(id.value(), new OutputLine(last + 1, stepIndex, host, stream, line, at));
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
            db.lock.unlock();
        }
    }

    @Override
    public void approvalRequested(OperationId id, int step, Instant expiresAt, Instant at) {
        Objects.requireNonNull(at, "at");
        write("recording an approval request of " + id, c -> JournalTables.approvalRequested(c, id, step, expiresAt,
                at, db.errors::fail));
    }

    @Override
    public void approvalEvent(OperationId id, ApprovalRecord event) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.kind(), "kind");
        Objects.requireNonNull(event.at(), "at");
        write("recording an approval event of " + id, c -> JournalTables.approvalEvent(c, id, event, db.errors::fail));
    }

    @Override
    public Optional<OperationRecord> operation(OperationId id) {
        return db.read("reading operation " + id, c -> JournalTables.operation(c, id));
    }

    @Override
    public List<OperationRecord> recent(int limit, long beforeId) {
        if (limit <= 0) {
            return List.of();
        }
        return db.read("listing recent operations", c -> JournalTables.recent(c, limit, beforeId));
    }

    @Override
    public List<OperationRecord> find(OperationQuery query) {
        return db.read("searching operations", c -> JournalTables.find(c, query));
    }

    @Override
    public List<OperationRecord> unfinished() {
        return db.read("listing unfinished operations", JournalTables::unfinished);
    }

    @Override
    public List<HostRunRecord> hostRuns(OperationId id) {
        return db.read("reading host runs of " + id, c -> JournalTables.hostRuns(c, id));
    }

    /** One page from the table (by primary key, so a long log is never loaded whole), then any buffered lines. */
    @Override
    public List<OutputLine> output(OperationId id, long afterSeq, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        db.lock.lock();
        try {
            List<OutputLine> page = db.read("reading output of " + id, c -> JournalTables.output(c, id, afterSeq,
                    limit));
            // the buffered lines of an operation all come after its written ones
            buffer.appendTo(page, id.value(), page.isEmpty() ? afterSeq : page.get(page.size() - 1).seq(), limit);
            return page;
        } finally {
            db.lock.unlock();
        }
    }

    @Override
    public List<ApprovalRecord> approvals(OperationId id) {
        return db.read("reading approvals of " + id, c -> JournalTables.approvals(c, id));
    }

    @Override
    public void connectorEvent(ConnectorEventRecord e) {
        Objects.requireNonNull(e, "event");
        write("recording a connector event of " + e.connector(), c -> JournalTables.connectorEvent(c, e));
    }

    @Override
    public List<ConnectorEventRecord> connectorEvents(int limit) {
        return db.read("reading connector events", c -> JournalTables.connectorEvents(c, limit));
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
        return db.read("reading " + kind + " records", c -> JournalTables.states(c, kind));
    }

    /**
     * Checks the file system has room, the database is below its page limit, and a real write (the heartbeat row,
     * together with any buffered output) commits.
     */
    @Override
    public void checkWritable() {
        db.ensureOpen();
        long free;
        try {
            free = Files.getFileStore(file.toAbsolutePath()).getUsableSpace();
        } catch (IOException e) {
            throw db.errors.fail("cannot check free space (" + e + ")");
        }
        if (free < MIN_FREE_BYTES) {
            throw db.errors.fail("disk full (" + free / 1024 + " KiB free)");
        }
        write("checking it is writable", c -> {
            long pages = queryLong(c, "PRAGMA page_count");
            long max = queryLong(c, "PRAGMA max_page_count");
            if (max - pages < MIN_FREE_PAGES) {
                throw db.errors.fail("disk full (the database is at its limit of " + max + " pages)");
            }
            update(c, "UPDATE heartbeat SET at = ?, writes = writes + 1 WHERE id = 1", ticker.now());
            return null;
        });
    }

    @Override
    public void flush() {
        write("writing output", c -> null);
    }

    /** Writes buffered output, then closes the file and releases the lock; throws if output could not be written. */
    @Override
    public void close() {
        JournalException failure = null;
        db.lock.lock();
        try {
            if (!db.isOpen()) {
                return;
            }
            try {
                flush();
            } catch (JournalException e) {
                failure = e;
            }
            try {
                db.close();
            } catch (JournalException e) {
                failure = addTo(failure, e);
            }
            try {
                fileLock.close();
            } catch (JournalException e) {
                failure = addTo(failure, e);
            }
        } finally {
            db.lock.unlock();
            flusher.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static JournalException addTo(JournalException first, JournalException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** For tests: caps the database at {@code pages} pages (at least its current size), as a full disk would. */
    void maxPageCount(long pages) {
        db.maxPageCount(pages);
    }

    private void backgroundFlush() {
        db.lock.lock();
        try {
            if (db.isOpen() && !buffer.isEmpty()) {
                flush();
            }
        } catch (RuntimeException e) {
            if (flushFailure == null) {
                LOG.warn("{}; output is kept in memory and retried", e.getMessage(), e);
            }
            flushFailure = e instanceof JournalException failure ? failure : db.errors.fail(e.toString());
        } finally {
            db.lock.unlock();
        }
    }

    /** Runs {@code work} after inserting the buffered output, all in one committed transaction. */
    private <T> T write(String doing, JournalDb.Work<T> work) {
        db.lock.lock();
        try {
            T result = db.transaction(doing, c -> {
                buffer.writeTo(c);
                return work.run(c);
            });
            buffer.written();
            flushFailure = null;
            return result;
        } catch (JournalException e) {
            if (e.getCause() instanceof SQLException && !buffer.isEmpty()) {
                // the storage failed: output() retries the buffer before it takes more lines
                flushFailure = e;
            }
            throw e;
        } finally {
            db.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SqliteJournal[" + file + "]";
    }
}
