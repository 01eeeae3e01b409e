package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.time.Ticker;

/**
 * Leadership of instances sharing one PostgreSQL journal, against a real PostgreSQL 15: one leader at a time, a
 * standby that takes over when the leader's session ends or its heartbeat goes stale, and an old leader that halts
 * rather than write after it could have been replaced.
 */
class PostgresLeadershipTest {
    private static PgServer server;
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    private final List<String> halts = new CopyOnWriteArrayList<>();
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

    @BeforeEach
    void database() throws Exception {
        db = server.createDatabase();
    }

    @AfterEach
    void closeAll() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // a journal whose session was ended fails to close: nothing to keep
            }
        }
    }

    private PostgresJournal journal() {
        PostgresJournal j = PostgresJournal.open("postgresql://127.0.0.1:" + server.port() + "/" + db
                + "?user=postgres", null, Ticker.system(), Duration.ofSeconds(3));
        opened.add(j);
        return j;
    }

    private PostgresLeadership leadership(PostgresJournal j, String name, Duration heartbeat, Duration takeover) {
        PostgresLeadership l = new PostgresLeadership(j, name, heartbeat, takeover, why -> halts.add(why));
        opened.add(0, l);
        return l;
    }

    @Test
    void theFirstInstanceLeadsWithEpochOneAndASecondStandsByNamingIt() throws Exception {
        PostgresLeadership a = leadership(journal(), "bd-a", Duration.ofMillis(200), Duration.ofSeconds(5));
        PostgresLeadership.Won won = a.await(l -> {
            throw new AssertionError("stood by for " + l);
        });
        assertThat(won.epoch()).isEqualTo(1);
        assertThat(won.previous()).isEmpty();
        assertThat(won.failover()).isFalse();
        PostgresLeadership b = leadership(journal(), "bd-b", Duration.ofMillis(200), Duration.ofSeconds(5));
        PostgresLeadership.Attempt attempt = b.attempt();
        assertThat(attempt.won()).isNull();
        assertThat(attempt.leader()).isEqualTo(new PostgresLeadership.Leader("bd-a", 1));
        assertThat(attempt.evicted()).isFalse();
        assertThat(b.epoch()).isZero();
        assertThat(a.leaseHeld()).isTrue();
    }

    @Test
    void whenTheLeadersSessionEndsTheStandbyLeadsAtOnceWithTheNextEpochAndCallsItAFailover() throws Exception {
        PostgresJournal ja = journal();
        PostgresLeadership a = leadership(ja, "bd-a", Duration.ofMillis(200), Duration.ofSeconds(5));
        a.await(l -> { });
        PostgresLeadership b = leadership(journal(), "bd-b", Duration.ofMillis(100), Duration.ofSeconds(5));
        assertThat(b.attempt().won()).isNull();
        terminate("bd-a's journal", ja);   // as when its process is killed: the server ends the session
        Instant before = Instant.now();
        PostgresLeadership.Won won = b.await(l -> { });
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(2));
        assertThat(won.epoch()).isEqualTo(2);
        assertThat(won.previous()).isEqualTo("bd-a");
        assertThat(won.lastHeartbeat()).isPresent();
        assertThat(won.failover()).isTrue();
        assertThat(leaderRow()).isEqualTo(Map.of("instance", "bd-b", "epoch", 2L));
    }

    @Test
    void aStandbyEvictsALeaderWhoseHeartbeatIsStaleAndTheOldLeaderHaltsAndWritesNothing() throws Exception {
        PostgresJournal ja = journal();
        // a heartbeat far longer than the takeover limit: bd-a behaves like a paused process
        PostgresLeadership a = leadership(ja, "bd-a", Duration.ofMinutes(5), Duration.ofMillis(600));
        a.await(l -> { });
        long opsBefore = count("operations");
        PostgresLeadership b = leadership(journal(), "bd-b", Duration.ofMillis(100), Duration.ofMillis(600));
        PostgresLeadership.Won won = b.await(l -> { });
        assertThat(won.epoch()).isEqualTo(2);
        assertThat(won.failover()).isTrue();
        assertThat(halts).anySatisfy(h -> assertThat(h).startsWith("bd-a stops leading: "));
        assertThatThrownBy(() -> create(ja)).isInstanceOf(JournalException.class);
        assertThat(count("operations")).isEqualTo(opsBefore);
        assertThat(a.leaseHeld()).isFalse();
    }

    @Test
    void onceTheLeaderIsHaltingNoChatLineGetsPastTheLeaseCheck() throws Exception {
        // the watchdog found the lease gone and is halting the process (the real halt prints why, then ends it); a
        // line another thread sends meanwhile must not go out
        PostgresLeadership a = leadership(journal(), "bd-a", Duration.ofMinutes(5), Duration.ofMillis(300));
        a.await(l -> { });
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (halts.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(halts).singleElement().satisfies(h -> assertThat(h).startsWith("bd-a stops leading: its lease"));
        assertThatThrownBy(a::checkLease).isInstanceOf(IllegalStateException.class)
                .hasMessage("bd-a no longer leads: the line is not sent");
        assertThat(halts).hasSize(1);
    }

    @Test
    void aWriteUnderASupersededEpochHaltsAndIsNotCommitted() throws Exception {
        PostgresJournal ja = journal();
        PostgresLeadership a = leadership(ja, "bd-a", Duration.ofSeconds(30), Duration.ofSeconds(60));
        a.await(l -> { });
        create(ja);
        assertThat(count("operations")).isEqualTo(1);
        server.execute(db, "UPDATE cluster_leader SET instance = 'bd-b', epoch = epoch + 1");
        assertThatThrownBy(() -> create(ja)).isInstanceOf(JournalException.class);
        assertThat(count("operations")).isEqualTo(1);
        assertThat(halts).containsExactly("bd-a stops leading: epoch 1 no longer leads (the journal has epoch 2)");
    }

    @Test
    void theHeartbeatRenewsTheLeaseAndFindsALostEpoch() throws Exception {
        PostgresJournal ja = journal();
        PostgresLeadership a = leadership(ja, "bd-a", Duration.ofSeconds(30), Duration.ofSeconds(60));
        a.await(l -> { });
        a.renew();
        assertThat(halts).isEmpty();
        server.execute(db, "UPDATE cluster_leader SET instance = 'bd-b', epoch = 7");
        a.renew();
        assertThat(halts).containsExactly("bd-a stops leading: epoch 1 no longer leads: bd-b leads with epoch 7");
    }

    @Test
    void aCleanStopIsNotAFailover() throws Exception {
        PostgresJournal ja = journal();
        PostgresLeadership a = leadership(ja, "bd-a", Duration.ofMillis(200), Duration.ofSeconds(5));
        a.await(l -> { });
        a.close();
        ja.close();
        PostgresLeadership b = leadership(journal(), "bd-b", Duration.ofMillis(100), Duration.ofSeconds(5));
        PostgresLeadership.Won won = b.await(l -> { });
        assertThat(won.previous()).isEqualTo("bd-a");
        assertThat(won.stoppedAt()).isPresent();
        assertThat(won.failover()).isFalse();
        assertThat(halts).isEmpty();
    }

    @Test
    void theLeadersSessionHasShortKeepalives() throws Exception {
        PostgresJournal ja = journal();
        String timeout = ja.session("reading", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW tcp_user_timeout")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(timeout).isEqualTo("3000");
    }

    private static void create(PostgresJournal j) {
        OperationId id = j.nextOperationId();
        j.operationCreated(new Operation(id, new OperationPlan("op" + id.value(), Map.of(), List.of(),
                ApprovalPolicy.NONE, "steps"), new Identity("console", "local"), ChatAddress.of("console", "#console"),
                Instant.now(), OperationState.SUCCEEDED));
    }

    private void terminate(String what, PostgresJournal j) throws Exception {
        long pid = j.session("reading its pid", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        server.execute(db, "SELECT pg_terminate_backend(" + pid + ")");
        assertThat(pid).as(what).isPositive();
    }

    private long count(String table) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(db)); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Map<String, Object> leaderRow() throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(db)); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT instance, epoch FROM cluster_leader")) {
            rs.next();
            return Map.of("instance", rs.getString(1), "epoch", rs.getLong(2));
        }
    }
}
