package org.buildduty.app.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

import org.buildduty.core.journal.JournalException;

/**
 * {@code buildduty journal copy}: moves a SQLite journal into an empty PostgreSQL database. Every operation, host
 * run, output line, approval, connector event and state record is copied with its id, and the operation id sequence
 * and the identity columns are set above every copied id (the operation sequence also above the ids SQLite handed
 * out but never used), so the PostgreSQL journal goes on without reusing an id.
 *
 * <p>Safety: the SQLite journal is opened as a bot opens it ({@link SqliteJournal#open}: its lock keeps a running
 * bot out, and an older file is migrated first); the target schema is created or upgraded as
 * {@link PostgresJournal#open} does, and everything, the schema included, is written in one PostgreSQL transaction:
 * a target that already holds records is refused, and a failure half-way leaves the target as it was. Rows are
 * streamed and inserted in batches, so a journal of millions of output lines needs no more memory than a small one.
 * PostgreSQL text cannot hold NUL: it becomes U+FFFD, as in {@link PostgresJournal}.
 */
public final class JournalCopy {
    /** Rows per batch insert. */
    static final int BATCH = 1000;
    private static final String URL_FORM = "postgresql://HOST:PORT/DB?user=USER";

    /**
     * The journal's tables in copy order (a row's operation before it): name, primary key order and columns, a
     * trailing {@code #} marking an integer column, the others text.
     */
    private static final List<Table> TABLES = List.of(
            Table.of("operations", "id", "id# kind requester origin_connector origin_room origin_thread plan_json "
                    + "state created_at started_at ended_at expires_at detail"),
            Table.of("host_runs", "id", "id# op# step_index# step_name host rollback# started_at ended_at outcome "
                    + "exit_code# reason last_line kept"),
            Table.of("output", "op, seq", "op# seq# step_index# host stream line at"),
            Table.of("approvals", "id", "id# op# kind who reason at step#"),
            Table.of("connector_events", "id", "id# connector state detail dropped_lines# at"),
            Table.of("state", "kind, key", "kind key body"));
    /** The tables whose id is an identity column. */
    private static final List<String> IDENTITY_TABLES = List.of("host_runs", "approvals", "connector_events");

    private final Path from;
    private final String to;
    private final PostgresErrors errors;
    private final Connection pg;

    private JournalCopy(Path from, String to, PostgresErrors errors, Connection pg) {
        this.from = from;
        this.to = to;
        this.errors = errors;
        this.pg = pg;
    }

    /** What one copy moved: rows per table and the next operation id the PostgreSQL journal hands out. */
    public record Result(String from, String to, long operations, long hostRuns, long outputLines, long approvals,
            long connectorEvents, long stateRecords, long nextOperationId) {
        /** {@code copied data/buildduty.db to postgresql://db1:5432/bd: 12 operations, ...; next operation id 13}. */
        public String summary() {
            return "copied " + from + " to " + to + ": " + count(operations, "operation") + ", "
                    + count(hostRuns, "host run") + ", " + count(outputLines, "output line") + ", "
                    + count(approvals, "approval") + ", " + count(connectorEvents, "connector event") + ", "
                    + count(stateRecords, "state record") + "; next operation id " + nextOperationId;
        }
    }

    /** {@code 1 operation}, {@code 2 operations}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * Copies the SQLite journal in {@code from} into the PostgreSQL database at {@code url}.
     *
     * @param url {@code postgresql://HOST:PORT/DB?user=USER} or the same with {@code jdbc:} in front; a password in
     *     it is refused (it would show in the process list and the shell history)
     * @param password the password, or null when the server needs none
     * @throws JournalException one line: a bad URL, a missing or newer or in-use SQLite journal, a target that
     *     already holds records, or a failure of either database (the target is then left as it was)
     */
    public static Result copy(Path from, String url, String password) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(url, "url");
        String jdbc = checkUrl(url);
        String to = PostgresJournal.displayName(jdbc.substring("jdbc:".length()));
        if (!Files.isRegularFile(from)) {
            throw new JournalException("journal " + from + ": no such file", null);
        }
        try (SqliteJournal source = SqliteJournal.open(from)) {
            PostgresErrors errors = new PostgresErrors(to);
            Connection pg = connect(jdbc, to, password, errors);
            JournalCopy copy = new JournalCopy(from, to, errors, pg);
            try {
                return source.read("reading it for the copy", copy::run);
            } catch (RuntimeException e) {
                try {
                    pg.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    pg.close();
                } catch (SQLException e) {
                    // the transaction has ended either way
                }
            }
        }
    }

    /** The JDBC form of {@code url}, or a one-line refusal of a URL that is not PostgreSQL's or holds a password. */
    static String checkUrl(String url) {
        String plain = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        if (!plain.startsWith("postgresql://")) {
            String shown = PostgresJournal.displayName(plain);
            // user:password@ would show a password
            throw new JournalException("--to" + (shown.contains("@") ? "" : " " + shown) + ": not a PostgreSQL URL ("
                    + URL_FORM + ")", null);
        }
        int q = plain.indexOf('?');
        String address = q < 0 ? plain : plain.substring(0, q);
        if (address.indexOf('@') >= 0) {
            throw new JournalException("--to: a user or password before @ is not supported (" + URL_FORM
                    + "; the password with --password-env VAR or --password-file FILE)", null);
        }
        if (q >= 0) {
            for (String option : plain.substring(q + 1).split("&")) {
                String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
                if (name.toLowerCase(Locale.ROOT).equals("password")) {
                    throw new JournalException("--to " + address + ": a password in the URL is refused (it shows in"
                            + " the process list and shell history); use --password-env VAR or --password-file FILE",
                            null);
                }
            }
        }
        return "jdbc:" + plain;
    }

    private static Connection connect(String jdbc, String to, String password, PostgresErrors errors) {
        Properties props = new Properties();
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("reWriteBatchedInserts", "true");
        props.setProperty("ApplicationName", "buildduty journal copy");
        try {
            Connection c = DriverManager.getConnection(jdbc, props);
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith("No suitable driver") || message.startsWith("Unable to parse URL")) {
                // pgjdbc could not parse it (its message repeats the whole URL, options included)
                throw errors.fail("not a valid PostgreSQL URL (" + URL_FORM + ")");
            }
            if (message.contains(jdbc)) {
                throw errors.wrap("connecting", new SQLException(message.replace(jdbc, "jdbc:" + to),
                        e.getSQLState(), e));
            }
            throw errors.wrap("connecting", e);
        }
    }

    /** Runs on the SQLite connection (its SQLExceptions are the source's); PostgreSQL failures are wrapped here. */
    private Result run(Connection src) throws SQLException {
        target("creating its tables", () -> PostgresSchema.migrate(pg, errors));
        refuseNonEmpty();
        long[] rows = new long[TABLES.size()];
        for (int i = 0; i < TABLES.size(); i++) {
            rows[i] = copyTable(src, TABLES.get(i));
        }
        long next = Math.max(queryLong(src, "SELECT coalesce(max(id), 0) + 1 FROM operations"),
                queryLong(src, "SELECT coalesce(max(next_value), 1) FROM sequence WHERE name = 'operation'"));
        long nextId = target("setting the operation id sequence", () -> {
            if (next <= 1) {
                return pgLong("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM operation_ids");
            }
            // never below what the sequence has already handed out
            return pgLong("SELECT setval('operation_ids', greatest(" + (next - 1) + ", CASE WHEN is_called THEN "
                    + "last_value ELSE last_value - 1 END)) + 1 FROM operation_ids");
        });
        for (String table : IDENTITY_TABLES) {
            target("setting the ids of " + table, () -> pgLong("SELECT coalesce(setval(pg_get_serial_sequence('"
                    + table + "', 'id'), max(id)), 0) FROM " + table));
        }
        target("committing", () -> {
            pg.commit();
            return null;
        });
        return new Result(from.toString(), to, rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], nextId);
    }

    private void refuseNonEmpty() {
        long operations = target("counting its operations", () -> pgLong("SELECT count(*) FROM operations"));
        if (operations > 0) {
            throw errors.fail("already holds " + count(operations, "operation") + "; copy into an empty database");
        }
        long events = target("counting its records", () -> pgLong("SELECT count(*) FROM connector_events"));
        long states = target("counting its records", () -> pgLong("SELECT count(*) FROM state"));
        if (events + states > 0) {
            throw errors.fail("already holds " + count(events, "connector event") + " and "
                    + count(states, "state record") + "; copy into an empty database");
        }
    }

    /** Streams one table from SQLite into PostgreSQL, {@value #BATCH} rows per batch; returns the rows copied. */
    private long copyTable(Connection src, Table table) throws SQLException {
        String doing = "copying " + table.name;
        PreparedStatement insert = target(doing, () -> pg.prepareStatement(table.insertSql()));
        long rows = 0;
        try (Statement st = src.createStatement(); ResultSet rs = st.executeQuery(table.selectSql())) {
            Object[] values = new Object[table.columns.size()];
            while (rs.next()) {
                for (int i = 0; i < values.length; i++) {
                    Column col = table.columns.get(i);
                    if (col.integer) {
                        long v = rs.getLong(i + 1);
                        values[i] = rs.wasNull() ? null : v;
                    } else {
                        values[i] = withoutNul(rs.getString(i + 1));
                    }
                }
                rows++;
                boolean flush = rows % BATCH == 0;
                target(doing, () -> {
                    bind(insert, table, values);
                    insert.addBatch();
                    if (flush) {
                        insert.executeBatch();
                    }
                    return null;
                });
            }
            target(doing, () -> {
                insert.executeBatch();
                insert.close();
                return null;
            });
        }
        return rows;
    }

    private static void bind(PreparedStatement ps, Table table, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            boolean integer = table.columns.get(i).integer;
            Object v = values[i];
            if (v == null) {
                ps.setNull(i + 1, integer ? Types.BIGINT : Types.VARCHAR);
            } else if (v instanceof Long l) {
                ps.setLong(i + 1, l);
            } else {
                ps.setString(i + 1, (String) v);
            }
        }
    }

    private static String withoutNul(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private long pgLong(String sql) throws SQLException {
        return queryLong(pg, sql);
    }

    /** Runs PostgreSQL work, turning its failure into a one-line error naming the target. */
    private <T> T target(String doing, TargetWork<T> work) {
        try {
            return work.run();
        } catch (BatchUpdateException e) {
            // pgjdbc's own message repeats the whole statement; the server's reason is the next exception
            throw errors.wrap(doing, e.getNextException() != null ? e.getNextException() : e);
        } catch (SQLException e) {
            throw errors.wrap(doing, e);
        }
    }

    /** PostgreSQL work on {@link #pg}. */
    @FunctionalInterface
    private interface TargetWork<T> {
        T run() throws SQLException;
    }

    /** One column: its name and whether it holds integers (else text). */
    private record Column(String name, boolean integer) {
    }

    /** One table of the journal, the same in both databases. */
    private record Table(String name, String order, List<Column> columns) {
        static Table of(String name, String order, String spec) {
            List<Column> columns = new ArrayList<>();
            for (String c : spec.split(" ")) {
                columns.add(c.endsWith("#") ? new Column(c.substring(0, c.length() - 1), true) : new Column(c, false));
            }
            return new Table(name, order, List.copyOf(columns));
        }

        String names() {
            return String.join(", ", columns.stream().map(Column::name).toList());
        }

        String selectSql() {
            return "SELECT " + names() + " FROM " + name + " ORDER BY " + order;
        }

        String insertSql() {
            return "INSERT INTO " + name + " (" + names() + ") VALUES (" + String.join(", ",
                    columns.stream().map(c -> "?").toList()) + ")";
        }
    }
}
