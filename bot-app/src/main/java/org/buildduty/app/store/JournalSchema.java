package org.buildduty.app.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The journal's tables, versioned: {@code schema_version} holds the version, and {@link #MIGRATIONS} brings any older
 * file up to date, one version per transaction.
 *
 * <p>Instants are stored as ISO-8601 text ({@code Instant.toString()}), which round-trips exactly and is readable
 * with the {@code sqlite3} shell. A host of {@code null} (a step without hosts) is stored as SQL NULL.
 */
final class JournalSchema {
    /** {@code MIGRATIONS.get(n)} takes a file from version n to n + 1. Append only; never edit a shipped one. */
    static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE sequence (name TEXT PRIMARY KEY, next_value INTEGER NOT NULL)",
            "INSERT INTO sequence (name, next_value) VALUES ('operation', 1)",
            "CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL, "
                    + "writes INTEGER NOT NULL)",
            "INSERT INTO heartbeat (id, at, writes) VALUES (1, '', 0)",
            "CREATE TABLE operations (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, requester TEXT NOT NULL, "
                    + "origin_connector TEXT NOT NULL, origin_room TEXT NOT NULL, origin_thread TEXT, "
                    + "plan_json TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT, "
                    + "ended_at TEXT, expires_at TEXT, detail TEXT NOT NULL DEFAULT '')",
            "CREATE INDEX operations_by_state ON operations (state)",
            "CREATE TABLE host_runs (id INTEGER PRIMARY KEY, op INTEGER NOT NULL REFERENCES operations (id), "
                    + "step_index INTEGER NOT NULL, step_name TEXT NOT NULL, host TEXT, rollback INTEGER NOT NULL, "
                    + "started_at TEXT, ended_at TEXT, outcome TEXT, exit_code INTEGER, reason TEXT, last_line TEXT)",
            "CREATE INDEX host_runs_by_op ON host_runs (op, step_index, rollback)",
            "CREATE TABLE output (op INTEGER NOT NULL REFERENCES operations (id), seq INTEGER NOT NULL, "
                    + "step_index INTEGER NOT NULL, host TEXT, stream TEXT NOT NULL, line TEXT NOT NULL, "
                    + "at TEXT NOT NULL, PRIMARY KEY (op, seq)) WITHOUT ROWID",
            "CREATE TABLE approvals (id INTEGER PRIMARY KEY, op INTEGER NOT NULL REFERENCES operations (id), "
                    + "kind TEXT NOT NULL, who TEXT, reason TEXT, at TEXT NOT NULL)",
            "CREATE INDEX approvals_by_op ON approvals (op)"), List.of(
            "CREATE TABLE connector_events (id INTEGER PRIMARY KEY, connector TEXT NOT NULL, state TEXT NOT NULL, "
                    + "detail TEXT NOT NULL, dropped_lines INTEGER NOT NULL, at TEXT NOT NULL)"), List.of(
            "CREATE TABLE state (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, "
                    + "PRIMARY KEY (kind, key)) WITHOUT ROWID"), List.of(
            // a confirm step's approvals name their step (-1: the start approval); values kept by a host run
            // reach the steps after a confirm across a restart
            "ALTER TABLE approvals ADD COLUMN step INTEGER NOT NULL DEFAULT -1",
            "ALTER TABLE host_runs ADD COLUMN kept TEXT"));

    /** The version this code writes. */
    static final int CURRENT = MIGRATIONS.size();

    private JournalSchema() {
    }

    /**
     * Creates or upgrades the schema inside the caller's transaction; returns the version found before.
     *
     * @throws org.buildduty.core.journal.JournalException if the file was written by a newer bot
     */
    static int migrate(Connection c, SqliteErrors errors) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int found;
            try (ResultSet rs = st.executeQuery("SELECT max(version) FROM schema_version")) {
                found = rs.next() ? rs.getInt(1) : 0;
            }
            if (found > CURRENT) {
                throw errors.fail("schema version " + found + " is newer than this bot supports (" + CURRENT
                        + ")");
            }
            for (int v = found; v < CURRENT; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    st.execute(sql);
                }
            }
            if (found < CURRENT) {
                st.execute("DELETE FROM schema_version");
                st.execute("INSERT INTO schema_version (version) VALUES (" + CURRENT + ")");
            }
            return found;
        }
    }
}
