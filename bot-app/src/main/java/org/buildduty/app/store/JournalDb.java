package org.buildduty.app.store;

import static org.buildduty.app.store.JournalRows.bind;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.sqlite.SQLiteConfig;

import org.buildduty.core.journal.JournalException;
import org.buildduty.core.operation.OperationId;

/**
 * The journal's one SQLite connection, guarded by {@link #lock}: runs reads and explicit write transactions and
 * turns every failure into a {@link JournalException}.
 *
 * <p>The connection stays in JDBC auto-commit mode and writes use {@code BEGIN IMMEDIATE ... COMMIT}: SQLite rolls a
 * transaction back by itself on some errors (a full disk), and the driver's own transaction tracking would then
 * commit later statements one by one.
 */
final class JournalDb {
    final ReentrantLock lock = new ReentrantLock();
    final SqliteErrors errors;
    private final Path file;
    private final Connection conn;
    private boolean closed;

    private JournalDb(Path file, SqliteErrors errors, Connection conn) {
        this.file = file;
        this.errors = errors;
        this.conn = conn;
    }

    /** Connects with WAL, {@code synchronous=FULL}, a busy timeout and foreign keys on. */
    static JournalDb connect(Path file, Path absolute, SqliteErrors errors) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(5_000);
        config.enforceForeignKeys(true);
        return new JournalDb(file, errors, DriverManager.getConnection("jdbc:sqlite:" + absolute,
                config.toProperties()));
    }

    /** Runs read-only {@code work} under the lock; no write happens meanwhile. */
    <T> T read(String doing, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return work.run(conn);
        } catch (SQLException e) {
            throw errors.wrap(doing, e);
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unreadable(doing, e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} in one committed transaction under the lock; on any failure rolls back and throws. */
    <T> T transaction(String doing, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            try {
                exec(conn, "BEGIN IMMEDIATE");
            } catch (SQLException e) {
                throw errors.wrap(doing, e);
            }
            try {
                T result = work.run(conn);
                exec(conn, "COMMIT");
                return result;
            } catch (SQLException e) {
                rollback(e);
                throw errors.wrap(doing, e);
            } catch (JournalException e) {
                rollback(e);
                throw e;
            } catch (RuntimeException e) {
                rollback(e);
                throw unreadable(doing, e);
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isOpen() {
        lock.lock();
        try {
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw errors.fail("closed");
        }
    }

    /** Closes the connection (SQLite checkpoints the WAL into the file). Idempotent. */
    void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                conn.close();
            }
        } catch (SQLException e) {
            throw errors.wrap("closing it", e);
        } finally {
            lock.unlock();
        }
    }

    /** For tests: caps the database at {@code pages} pages (at least its current size), as a full disk would. */
    void maxPageCount(long pages) {
        lock.lock();
        try {
            exec(conn, "PRAGMA max_page_count = " + pages);
        } catch (SQLException e) {
            throw errors.wrap("setting max_page_count", e);
        } finally {
            lock.unlock();
        }
    }

    private void rollback(Exception primary) {
        try {
            exec(conn, "ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active" when SQLite rolled back already; anything else is kept with the cause
            if (e.getMessage() == null || !e.getMessage().contains("no transaction is active")) {
                primary.addSuppressed(e);
            }
        }
    }

    private JournalException unreadable(String doing, RuntimeException e) {
        return new JournalException("journal " + file + ": unreadable data while " + doing + " (" + e + ")", e);
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), values)) {
            return ps.executeUpdate();
        }
    }

    static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... values) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), values); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    static long queryLong(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), values); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no row: " + sql);
            }
            return rs.getLong(1);
        }
    }

    static boolean exists(Connection c, OperationId id) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement("SELECT 1 FROM operations WHERE id = ?"), id);
                ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    /** Database work. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Maps the current row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }
}
