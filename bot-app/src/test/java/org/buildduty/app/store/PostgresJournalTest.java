package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.JournalContract;
import org.buildduty.core.time.Ticker;

/**
 * The {@link JournalContract} against a real PostgreSQL 15 ({@link PgServer}, one per class), each test on a fresh
 * database; plus what is PostgreSQL's own: instances opening one database together, ids across instances.
 */
class PostgresJournalTest extends JournalContract {
    private static final String[] TABLES = {"operations", "host_runs", "output", "approvals", "connector_events",
        "state", "heartbeat"};
    private static PgServer server;
    private String db;

    @BeforeAll
    static void startServer() throws Exception {
        server = PgServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Journal open() {
        try {
            db = server.createDatabase();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return PostgresJournal.open(url(db), null, Ticker.system());
    }

    private static String url(String name) {
        return "postgresql://127.0.0.1:" + server.port() + "/" + name + "?user=postgres";
    }

    /**
     * The server itself refuses every write with SQLSTATE 53100 ({@code disk_full}), as it does when it cannot
     * extend a file: a trigger on every table raises it.
     */
    @Override
    protected void simulateDiskFull(boolean full) {
        try {
            if (full) {
                server.execute(db, "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = "
                        + "'disk_full'; END $$");
                for (String t : TABLES) {
                    server.execute(db, "CREATE TRIGGER full_" + t + " BEFORE INSERT OR UPDATE OR DELETE ON " + t
                            + " FOR EACH STATEMENT EXECUTE FUNCTION disk_full()");
                }
            } else {
                server.execute(db, "DROP FUNCTION IF EXISTS disk_full() CASCADE");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoInstancesOpeningOneEmptyDatabaseTogetherBothSucceedAndShareOneSchema() throws Exception {
        for (int round = 0; round < 3; round++) {
            String name = server.createDatabase();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<PostgresJournal>> opening = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                opening.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return PostgresJournal.open(url(name), null, Ticker.system());
                }));
            }
            go.countDown();
            PostgresJournal a = opening.get(0).get(30, TimeUnit.SECONDS);
            PostgresJournal b = opening.get(1).get(30, TimeUnit.SECONDS);
            try {
                OperationId first = a.nextOperationId();
                OperationId second = b.nextOperationId();
                assertThat(second.value()).isGreaterThan(first.value());
                try (Connection c = DriverManager.getConnection(server.jdbcUrl(name));
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT count(*), max(version) FROM schema_version")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                    assertThat(rs.getInt(2)).isEqualTo(PostgresSchema.CURRENT);
                }
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void anIdAllocatedAndRolledBackIsNeverHandedOutAgainAfterAReopen() {
        OperationId id = create(OperationState.SUCCEEDED);
        OperationId unused = journal.nextOperationId();
        journal.close();
        journal = PostgresJournal.open(url(db), null, Ticker.system());
        assertThat(journal.nextOperationId().value()).isGreaterThan(unused.value()).isGreaterThan(id.value());
        assertThat(journal.operation(id)).isPresent();
    }

    @Test
    void aNewerSchemaIsRefusedWithOneClearMessage() throws Exception {
        server.execute(db, "INSERT INTO schema_version (version) VALUES (" + (PostgresSchema.CURRENT + 1) + ")");
        assertThatThrownBy(() -> PostgresJournal.open(url(db), null, Ticker.system()))
                .isInstanceOf(JournalException.class)
                .hasMessage("journal postgresql://127.0.0.1:" + server.port() + "/" + db + ": schema version "
                        + (PostgresSchema.CURRENT + 1) + " is newer than this bot supports (" + PostgresSchema.CURRENT
                        + ")");
    }

    @Test
    void anUnreachableServerFailsWithTheDatabaseNameAndNoPassword() {
        assertThatThrownBy(() -> PostgresJournal.open("postgresql://127.0.0.1:" + server.port()
                + "/nosuchdb?user=postgres&password=hunter2", "s3cret", Ticker.system()))
                .isInstanceOf(JournalException.class)
                .hasMessageStartingWith("journal postgresql://127.0.0.1:" + server.port() + "/nosuchdb: "
                        + "no such database while connecting")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("s3cret"));
    }
}
