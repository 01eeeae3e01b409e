package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.JournalContract;
import org.buildduty.core.time.Ticker;

/**
 * {@link JournalCopy}: a SQLite journal written through its SPI reads back the same from PostgreSQL after the copy,
 * new ids land above the copied ones, and every refusal or failure is one line and leaves the target as it was.
 * One {@link PgServer} per class, a fresh database per test.
 */
class JournalCopyTest {
    private static final Instant T0 = JournalContract.T0;
    private static final List<String> STATE_KINDS = List.of("matrix.sync", "mbs.watch", "schedule",
            JournalPruning.PRUNED_KIND);
    private static PgServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(PgServer.available(), "PostgreSQL 15 is not installed (" + PgServer.BIN + ")");
        server = PgServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String db) {
        return "postgresql://127.0.0.1:" + server.port() + "/" + db + "?user=postgres";
    }

    /** What the populated journal holds, for the comparisons. */
    private record Populated(List<OperationId> ids, long lastAllocated, OperationId pruned) {
    }

    /**
     * Operations in every kind of state through the SPI: ended with host runs, kept values and output (one line with
     * a NUL, more lines than a batch), pending approval with an expiry, waiting at a confirm step, running, queued,
     * failed with a host that never started; one pruned (its note is a state record); connector events; state
     * records; and two ids allocated but never used.
     */
    private Populated populate(Path file) {
        FakeTicker ticker = new FakeTicker(T0.minus(Duration.ofDays(100)));
        List<OperationId> ids = new ArrayList<>();
        OperationId pruned;
        long last;
        try (SqliteJournal j = SqliteJournal.open(file, ticker)) {
            pruned = create(j, OperationState.QUEUED);
            j.hostStarted(pruned, 0, "update config", "bm01", false, T0.minus(Duration.ofDays(100)));
            j.output(pruned, 0, "bm01", OutputChannel.STDOUT, "old line", T0.minus(Duration.ofDays(100)));
            j.operationState(pruned, OperationState.SUCCEEDED, T0.minus(Duration.ofDays(100)), "");

            OperationId done = create(j, OperationState.QUEUED);
            ids.add(done);
            j.operationState(done, OperationState.RUNNING, T0.plusSeconds(1), "");
            j.hostStarted(done, 0, "update config", "bm01", false, T0.plusSeconds(2));
            j.hostStarted(done, 0, "update config", "bm02", false, T0.plusSeconds(2));
            for (int i = 0; i < JournalCopy.BATCH * 2 + 7; i++) {
                j.output(done, 0, i % 2 == 0 ? "bm01" : "bm02", i % 3 == 0 ? OutputChannel.STDERR
                        : OutputChannel.STDOUT, "line " + i + " ü ✓", T0.plusMillis(3000 + i));
            }
            j.output(done, 0, "bm01", OutputChannel.STDOUT, "binary\0junk", T0.plusSeconds(9));
            j.output(done, 1, null, OutputChannel.STDOUT, "local step output", T0.plusSeconds(10));
            j.hostFinished(done, 0, false, StepResult.succeeded("bm01", 0, "done").withKept(Map.of("build", "42")),
                    T0.plusSeconds(11));
            j.hostFinished(done, 0, false, StepResult.failed("bm02", 1, "exit 1", "make: *** Error 1"),
                    T0.plusSeconds(12));
            j.hostStarted(done, 0, "restore config", "bm02", true, T0.plusSeconds(13));
            j.hostFinished(done, 0, true, StepResult.succeeded("bm02", 0, "restored"), T0.plusSeconds(14));
            j.operationState(done, OperationState.SUCCEEDED, T0.plusSeconds(15), "1 host failed, rolled back");

            OperationId pending = create(j, OperationState.PENDING_APPROVAL);
            ids.add(pending);
            j.approvalRequested(pending, -1, T0.plusSeconds(600), T0.plusSeconds(20));
            j.approvalEvent(pending, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, JournalContract.BOB, "lgtm",
                    T0.plusSeconds(21), -1));

            OperationId waiting = create(j, OperationState.RUNNING);
            ids.add(waiting);
            j.hostStarted(waiting, 0, "update config", "bm01", false, T0.plusSeconds(30));
            j.hostFinished(waiting, 0, false, StepResult.succeeded("bm01", 0, "ok").withKept(Map.of("url",
                    "http://ci/42", "build", "42")), T0.plusSeconds(31));
            j.approvalRequested(waiting, 1, T0.plusSeconds(1800), T0.plusSeconds(32));
            j.approvalEvent(waiting, new ApprovalRecord(ApprovalRecord.Kind.DENIED, JournalContract.BOB, "not now",
                    T0.plusSeconds(33), 1));
            j.operationState(waiting, OperationState.WAITING, T0.plusSeconds(32), "waiting at step 2");

            OperationId running = create(j, OperationState.RUNNING);
            ids.add(running);
            j.hostStarted(running, 0, "update config", "bm01", false, T0.plusSeconds(40));
            j.output(running, 0, "bm01", OutputChannel.STDOUT, "still going", T0.plusSeconds(41));

            OperationId queued = create(j, OperationState.QUEUED);
            ids.add(queued);

            OperationId failed = create(j, OperationState.RUNNING);
            ids.add(failed);
            j.hostFinished(failed, 0, false, new StepResult(StepOutcome.SKIPPED, "bm02", null, "host down", null),
                    T0.plusSeconds(50));
            j.operationState(failed, OperationState.FAILED, T0.plusSeconds(51), "bm02 skipped");

            j.connectorEvent(new ConnectorEventRecord("libera", ConnectionChanged.State.CONNECTED,
                    "irc.libera.chat:6697 as buildduty", 0, T0));
            j.connectorEvent(new ConnectorEventRecord("libera", ConnectionChanged.State.RECONNECTING,
                    "connection reset; reconnecting in 1000 ms (attempt 1)", 0, T0.plusSeconds(60)));
            j.connectorEvent(new ConnectorEventRecord("matrix", ConnectionChanged.State.CONNECTED,
                    "matrix.example.org; 3 queued lines were dropped while disconnected", 3, T0.plusSeconds(61)));
            j.putState("matrix.sync", "matrix", "s72594_4483_1934");
            j.putState("mbs.watch", "k8s-prod", "{\"sha\":\"4f2a9c1\",\"room\":\"!ops:example.org\"}");
            j.putState("schedule", "nightly-reconfig", "{\"last\":\"2026-11-20T02:00:00Z\"}");
            j.putState("schedule", "Weekly", "{\"last\":\"2026-11-16T03:00:00Z\"}");

            ticker.advance(Duration.between(ticker.now(), T0.plusSeconds(100)));
            assertThat(j.prune(T0.minus(Duration.ofDays(1)), 0, "retention 90d").operations()).isEqualTo(1);
            j.nextOperationId();
            last = j.nextOperationId().value();
        }
        return new Populated(ids, last, pruned);
    }

    private static OperationId create(Journal j, OperationState state) {
        OperationId id = j.nextOperationId();
        j.operationCreated(JournalContract.op(id, state));
        return id;
    }

    private static List<OutputLine> withoutNul(List<OutputLine> lines) {
        return lines.stream().map(l -> new OutputLine(l.seq(), l.stepIndex(), l.host(), l.stream(),
                l.line().replace('\0', '\uFFFD'), l.at())).toList();
    }

    @Test
    void everyRecordReadsBackTheSameFromPostgresqlAndNewIdsLandAboveTheCopiedOnes() throws Exception {
        Path file = dir.resolve("buildduty.db");
        Populated p = populate(file);
        String db = server.createDatabase();

        JournalCopy.Result result = JournalCopy.copy(file, url(db), null);

        assertThat(result.operations()).isEqualTo(6);
        assertThat(result.outputLines()).isEqualTo(JournalCopy.BATCH * 2 + 7 + 3);
        assertThat(result.connectorEvents()).isEqualTo(3);
        assertThat(result.stateRecords()).isEqualTo(5);
        assertThat(result.nextOperationId()).isEqualTo(p.lastAllocated() + 1);
        assertThat(result.summary()).isEqualTo("copied " + file + " to postgresql://127.0.0.1:" + server.port() + "/"
                + db + ": 6 operations, 6 host runs, " + result.outputLines() + " output lines, 4 approvals, "
                + "3 connector events, 5 state records; next operation id " + (p.lastAllocated() + 1));

        try (SqliteJournal sqlite = SqliteJournal.open(file);
                PostgresJournal pg = PostgresJournal.open(url(db), null, Ticker.system())) {
            assertThat(pg.recent(100, Long.MAX_VALUE)).isEqualTo(sqlite.recent(100, Long.MAX_VALUE)).hasSize(6);
            assertThat(pg.unfinished()).isEqualTo(sqlite.unfinished()).hasSize(4);
            for (long n = 1; n <= p.lastAllocated(); n++) {
                OperationId id = new OperationId(n);
                assertThat(pg.operation(id)).as("operation %s", id).isEqualTo(sqlite.operation(id));
                assertThat(pg.hostRuns(id)).as("host runs of %s", id).isEqualTo(sqlite.hostRuns(id));
                assertThat(pg.output(id, 0, 10_000)).as("output of %s", id)
                        .isEqualTo(withoutNul(sqlite.output(id, 0, 10_000)));
                assertThat(pg.approvals(id)).as("approvals of %s", id).isEqualTo(sqlite.approvals(id));
            }
            assertThat(pg.output(p.ids().get(0), 0, 10_000)).anySatisfy(l -> assertThat(l.line())
                    .isEqualTo("binary\uFFFDjunk"));
            assertThat(pg.operation(p.ids().get(1)).orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(600));
            assertThat(pg.connectorEvents(100)).isEqualTo(sqlite.connectorEvents(100)).hasSize(3);
            for (String kind : STATE_KINDS) {
                assertThat(pg.states(kind)).as("state %s", kind).isEqualTo(sqlite.states(kind)).isNotEmpty();
            }
            assertThat(pg.states(JournalPruning.PRUNED_KIND)).containsOnlyKeys(String.format("%019d",
                    p.pruned().value()));

            // ids: above every copied one, and above the ones SQLite handed out but never used
            assertThat(pg.nextOperationId().value()).isEqualTo(p.lastAllocated() + 1);
            OperationId running = p.ids().get(3);
            pg.hostStarted(running, 1, "reload", "bm03", false, T0.plusSeconds(70));
            assertThat(pg.hostRuns(running)).last().extracting(HostRunRecord::host).isEqualTo("bm03");
            OperationId pending = p.ids().get(1);
            pg.approvalEvent(pending, new ApprovalRecord(ApprovalRecord.Kind.WITHDRAWN, JournalContract.BOB, "",
                    T0.plusSeconds(71), -1));
            assertThat(pg.approvals(pending)).last().extracting(ApprovalRecord::kind)
                    .isEqualTo(ApprovalRecord.Kind.WITHDRAWN);
            ConnectorEventRecord event = new ConnectorEventRecord("zulip", ConnectionChanged.State.CONNECTED, "ok", 0,
                    T0.plusSeconds(72));
            pg.connectorEvent(event);
            assertThat(pg.connectorEvents(1)).containsExactly(event);
            pg.output(running, 0, "bm01", OutputChannel.STDOUT, "after the move", T0.plusSeconds(73));
            pg.flush();
            assertThat(pg.output(running, 0, 10)).extracting(OutputLine::seq).containsExactly(1L, 2L);
        }
    }

    @Test
    void aTargetThatHoldsOperationsIsRefusedAndLeftUnchanged() throws Exception {
        Path file = dir.resolve("buildduty.db");
        populate(file);
        String db = server.createDatabase();
        try (PostgresJournal pg = PostgresJournal.open(url(db), null, Ticker.system())) {
            create(pg, OperationState.SUCCEEDED);
            pg.putState("schedule", "mine", "{}");
        }

        assertThatThrownBy(() -> JournalCopy.copy(file, url(db), null)).isInstanceOf(JournalException.class)
                .hasMessage("journal postgresql://127.0.0.1:" + server.port() + "/" + db
                        + ": already holds 1 operation; copy into an empty database");

        try (PostgresJournal pg = PostgresJournal.open(url(db), null, Ticker.system())) {
            assertThat(pg.recent(100, Long.MAX_VALUE)).extracting(r -> r.id().value()).containsExactly(1L);
            assertThat(pg.states("schedule")).containsOnlyKeys("mine");
            assertThat(pg.states("matrix.sync")).isEmpty();
            assertThat(pg.connectorEvents(10)).isEmpty();
            assertThat(pg.nextOperationId().value()).isEqualTo(2);
        }
    }

    @Test
    void aTargetWithRecordsButNoOperationIsRefusedToo() throws Exception {
        Path file = dir.resolve("buildduty.db");
        populate(file);
        String db = server.createDatabase();
        try (PostgresJournal pg = PostgresJournal.open(url(db), null, Ticker.system())) {
            pg.putState("matrix.sync", "matrix", "s1");
        }

        assertThatThrownBy(() -> JournalCopy.copy(file, url(db), null)).hasMessageEndingWith(
                ": already holds 0 connector events and 1 state record; copy into an empty database");
        assertThat(count(db, "state")).isEqualTo(1);
    }

    @Test
    void aFailureHalfWayLeavesTheTargetEmptyBecauseTheCopyIsOneTransaction() throws Exception {
        Path file = dir.resolve("buildduty.db");
        populate(file);
        String db = server.createDatabase();
        PostgresJournal.open(url(db), null, Ticker.system()).close();
        server.execute(db, "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                + "END $$");
        server.execute(db, "CREATE TRIGGER refuse_approvals BEFORE INSERT ON approvals FOR EACH STATEMENT "
                + "EXECUTE FUNCTION refuse()");

        assertThatThrownBy(() -> JournalCopy.copy(file, url(db), null)).isInstanceOf(JournalException.class)
                .hasMessageStartingWith("journal postgresql://127.0.0.1:" + server.port() + "/" + db
                        + ": disk full while copying approvals (")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        for (String table : List.of("operations", "host_runs", "output", "approvals", "connector_events", "state")) {
            assertThat(count(db, table)).as(table).isZero();
        }
        server.execute(db, "DROP FUNCTION refuse() CASCADE");
        try (PostgresJournal pg = PostgresJournal.open(url(db), null, Ticker.system())) {
            assertThat(pg.nextOperationId().value()).isEqualTo(1);
        }
    }

    @Test
    void theSchemaIsCreatedInTheSameTransactionSoARefusedCopyLeavesAnEmptyDatabaseWithoutTables() throws Exception {
        Path file = dir.resolve("buildduty.db");
        populate(file);
        String db = server.createDatabase();
        server.execute(db, "CREATE FUNCTION refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'state') THEN "
                + "RAISE EXCEPTION 'refused by test'; END IF; END $$");
        server.execute(db, "CREATE EVENT TRIGGER refuse_state ON ddl_command_end EXECUTE FUNCTION refuse()");

        assertThatThrownBy(() -> JournalCopy.copy(file, url(db), null)).hasMessageContaining("refused by test");

        server.execute(db, "DROP EVENT TRIGGER refuse_state");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(db)); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('operations'), to_regclass('schema_version')")) {
            rs.next();
            assertThat(rs.getString(1)).isNull();
            assertThat(rs.getString(2)).isNull();
        }
    }

    @Test
    void aJournalInUseByARunningBotIsRefused() throws Exception {
        Path file = dir.resolve("buildduty.db");
        populate(file);
        String db = server.createDatabase();
        try (SqliteJournal running = SqliteJournal.open(file)) {
            assertThat(running.unfinished()).isNotEmpty();
            assertThatThrownBy(() -> JournalCopy.copy(file, url(db), null)).isInstanceOf(JournalException.class)
                    .hasMessageStartingWith("journal " + file + " is in use by another running bot (locked: ");
        }
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(db)); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('operations')")) {
            rs.next();
            assertThat(rs.getString(1)).isNull();
        }
    }

    @Test
    void aJournalOfANewerBotIsRefused() throws Exception {
        Path file = dir.resolve("buildduty.db");
        SqliteJournal.open(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("UPDATE schema_version SET version = 99");
        }

        assertThatThrownBy(() -> JournalCopy.copy(file, url(server.createDatabase()), null))
                .hasMessage("journal " + file + ": schema version 99 is newer than this bot supports ("
                        + JournalSchema.CURRENT + ")");
    }

    @Test
    void anEmptyJournalCopiesToNothingAndIdsStartWhereSqliteWouldGoOn() throws Exception {
        Path file = dir.resolve("buildduty.db");
        try (SqliteJournal j = SqliteJournal.open(file)) {
            j.nextOperationId();
        }
        String db = server.createDatabase();

        JournalCopy.Result result = JournalCopy.copy(file, url(db), null);

        assertThat(result.summary()).endsWith(": 0 operations, 0 host runs, 0 output lines, 0 approvals, "
                + "0 connector events, 0 state records; next operation id 2");
        try (PostgresJournal pg = PostgresJournal.open(url(db), null, Ticker.system())) {
            assertThat(pg.nextOperationId().value()).isEqualTo(2);
        }
    }

    @Test
    void badArgumentsAndUnreachableServersGiveOneLineNamingNoPassword() throws Exception {
        Path file = dir.resolve("buildduty.db");
        SqliteJournal.open(file).close();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, String> cases = Map.of(
                "mysql://db1/bd?user=u&password=hunter2", "--to mysql://db1/bd: not a PostgreSQL URL "
                        + "(postgresql://HOST:PORT/DB?user=USER)",
                "mysql://u:hunter2@db1/bd", "--to: not a PostgreSQL URL (postgresql://HOST:PORT/DB?user=USER)",
                "postgresql://db1:5432/bd?user=u&Password=hunter2", "--to postgresql://db1:5432/bd: a password in "
                        + "the URL is refused (it shows in the process list and shell history); use --password-env "
                        + "VAR or --password-file FILE",
                "jdbc:postgresql://u:hunter2@db1/bd", "--to: a user or password before @ is not supported "
                        + "(postgresql://HOST:PORT/DB?user=USER; the password with --password-env VAR or "
                        + "--password-file FILE)",
                "postgresql://127.0.0.1:" + closed + "/bd?user=postgres&x=hunter2", "journal postgresql://127.0.0.1:"
                        + closed + "/bd: connection lost while connecting (Connection to 127.0.0.1:" + closed
                        + " refused.",
                "postgresql://127.0.0.1:" + server.port() + "/nosuchdb?user=postgres", "journal postgresql://127.0.0.1:"
                        + server.port() + "/nosuchdb: no such database while connecting (",
                "postgresql://127.0.0.1:notaport/bd?user=postgres&x=hunter2", "journal postgresql://127.0.0.1:notaport"
                        + "/bd: not a valid PostgreSQL URL (postgresql://HOST:PORT/DB?user=USER)");
        cases.forEach((url, message) -> assertThatThrownBy(() -> JournalCopy.copy(file, url, "hunter2"))
                .as(url).isInstanceOf(JournalException.class).hasMessageStartingWith(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("hunter2")));

        Path missing = dir.resolve("nope/buildduty.db");
        assertThatThrownBy(() -> JournalCopy.copy(missing, url(server.createDatabase()), null))
                .hasMessage("journal " + missing + ": no such file");
        assertThat(Files.exists(missing.getParent())).isFalse();
    }

    private static long count(String db, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(db)); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
