package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.app.IrcBot.BOT_PASSWORD;
import static org.buildduty.app.IrcBot.CHANNEL;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.store.PgServer;
import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.exec.testing.ServerFixture;

/**
 * Two packaged jars, bd-a and bd-b, on one PostgreSQL journal and a real IRC network (InspIRCd + Atheme), with
 * {@code ha: {heartbeat: 500ms, takeover_after: 3s}}. The first to start leads with epoch 1 and the other stands by;
 * kill -9 of the leader in the middle of a fan-out hands over within {@code takeover_after} + 2 s, with one
 * "interrupted" line for the cut-off operation, one takeover line in the channel, no row of the old leader after
 * it, and the pending approval carried over and run once; a leader paused (SIGSTOP) in the middle of a fan-out is
 * evicted, and when it runs again it exits with status 70 without writing a row or saying a line; a restarted old
 * leader stands by and takes over with the next epoch when the leader stops. The scenarios build on each other, in
 * order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration TAKEOVER_AFTER = Duration.ofSeconds(3);
    private static final Duration HANDOVER_LIMIT = TAKEOVER_AFTER.plusSeconds(2);
    /** Leading, then building the bot and registering on IRC, on a machine busy with other tests. */
    private static final Duration READY_LIMIT = Duration.ofSeconds(20);
    private static final Pattern SAID = Pattern.compile("^:(buildduty[_0-9]*)![^ ]* PRIVMSG " + CHANNEL + " :(.*)$");
    private static final Pattern TITLE = Pattern.compile("^(\\w+) #(\\d+)");
    private static final List<String> TABLES = List.of("operations", "host_runs", "output", "approvals",
            "connector_events", "state");

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("buildduty", BOT_PASSWORD, "alice", "alicepw123",
                    "bob", "bobpw12345"));

    @TempDir
    static Path dir;
    private static PgServer pg;
    private static String db;
    private static RawIrcClient alice;
    private static RawIrcClient bob;
    private static final List<BotProcess> STARTED = new ArrayList<>();
    private static final Map<String, BotProcess> BOTS = new LinkedHashMap<>();
    private static long gated;
    private static long stream;
    private static long highestId;
    private static String nickOfB;
    private static String nickOfA;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(PgServer.available(), "PostgreSQL 15 is not installed");
        BotProcess.jar();
        pg = PgServer.start();
        db = pg.createDatabase();
        writeConfig("bd-a");
        writeConfig("bd-b");
        alice = RawIrcClient.connect(NET.get().port(), "alice", "alice", "alicepw123", "account-tag");
        bob = RawIrcClient.connect(NET.get().port(), "bob", "bob", "bobpw12345", "account-tag");
        alice.join(CHANNEL);
        bob.join(CHANNEL);
    }

    @AfterAll
    static void stop() throws IOException {
        if (alice != null) {
            System.out.println("FailoverIT: the bot said in " + CHANNEL + ":");
            alice.lines().stream().map(l -> SAID.matcher(RawIrcClient.stripTags(l))).filter(Matcher::matches)
                    .forEach(m -> System.out.println("  <" + m.group(1) + "> " + m.group(2)));
        }
        for (BotProcess b : STARTED) {
            b.close();
        }
        for (RawIrcClient c : new RawIrcClient[] {alice, bob}) {
            if (c != null) {
                c.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void theFirstInstanceLeadsWithEpochOneAndTheSecondStandsByNamingIt() throws Exception {
        BotProcess a = launch("bd-a");
        a.expectErr("buildduty ready: leader (epoch 1) ", WAIT);
        BotProcess b = launch("bd-b");
        b.expectErr("buildduty standby: leader is bd-a (epoch 1)", WAIT);

        alice.privmsg(CHANNEL, "!whoami");
        assertThat(await("whoami answered", t -> t.contains("testnet:alice"))).contains("releng");
        assertThat(Files.readString(dir.resolve("bd-a/buildduty.log"))).contains("CONNECTED 127.0.0.1:");
        assertThat(b.stderr()).as("the standby starts no connector").noneMatch(l -> l.contains("buildduty ready"));
        assertThat(Files.readString(dir.resolve("bd-b/buildduty.log"))).doesNotContain("CONNECTED");
        assertThat(leader()).isEqualTo("bd-a 1");
    }

    @Test
    @Order(2)
    void killingTheLeaderMidFanOutHandsOverOnceAndThePendingApprovalRunsOnce() throws Exception {
        alice.privmsg(CHANNEL, "!run gated");
        gated = id(await("the request for approval", t -> t.startsWith("gated #") && t.contains("approve with")));
        alice.privmsg(CHANNEL, "!approve " + gated);
        await("alice's approval", t -> t.startsWith("gated #" + gated + ": approval by alice counted (1 of 2"));
        alice.privmsg(CHANNEL, "!run stream");
        stream = id(await("the fan-out started", t -> t.startsWith("stream #")));
        awaitStreaming(stream);
        highestId = count("SELECT max(id) FROM operations");

        BotProcess a = BOTS.get("bd-a");
        long t0 = System.nanoTime();
        a.kill();
        Instant killed = Instant.now();
        alice.privmsg(CHANNEL, "!run note");   // in the gap: no instance is in the channel to see it
        BotProcess.awaitCondition("bd-b leads with epoch 2", WAIT, () -> "bd-b 2".equals(leaderQuietly()));
        Duration leads = Duration.ofNanos(System.nanoTime() - t0);
        BOTS.get("bd-b").expectErr("buildduty ready: leader (epoch 2) ", WAIT);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("FailoverIT: kill -9 of bd-a until bd-b leads (epoch 2): " + leads.toMillis()
                + " ms, until it is ready: " + took.toMillis() + " ms");
        assertThat(leads).as("from the kill to bd-b's epoch in the journal").isLessThan(HANDOVER_LIMIT);
        // the ready line also waits for the bot to be built and connected to IRC: slower on a loaded machine
        assertThat(took).as("from the kill to bd-b's ready line").isLessThan(READY_LIMIT);
        Instant since = instant("SELECT since FROM cluster_leader WHERE epoch = 2");

        String takeover = await("the takeover line", t -> t.startsWith("buildduty failed over from bd-a to bd-b at ")
                && t.contains(" UTC (epoch 2); bd-a was last alive at ")
                && t.endsWith("; messages sent here in between were not seen: repeat any command you sent then"));
        nickOfB = nickThatSaid(takeover);
        String interrupted = await("the interrupted line", t -> t.startsWith("stream #" + stream + " interrupted"));
        assertThat(interrupted).isEqualTo("stream #" + stream + " interrupted: the bot failed over from bd-a while it"
                + " was running; completed: step 1 prepare (1/1 ok), step 2 stream (0/3 ok, 3 cut off); not re-run"
                + " — request it again if needed");

        // the old leader is dead: every row of its operation is from before the kill, none after the takeover
        assertRowsNotAfter(stream, killed);
        assertRowsNotAfter(stream, since);
        assertThat(text("SELECT state || ' ' || detail FROM operations WHERE id = " + stream))
                .startsWith("INTERRUPTED the bot failed over from bd-a while it was running");

        bob.privmsg(CHANNEL, "!approve " + gated);
        await("bob's approval", t -> t.equals("gated #" + gated + " approved by alice, bob; running"));
        await("gated succeeded", t -> t.startsWith("gated #" + gated + " ") && t.contains("succeeded"));
        alice.privmsg(CHANNEL, "!run note");
        long note = id(await("a new operation", t -> t.startsWith("note #")));
        assertThat(note).as("a new id after the takeover").isGreaterThan(highestId);
        await("note succeeded", t -> t.startsWith("note #" + note + " ") && t.contains("succeeded"));
        highestId = note;

        assertThat(said(t -> t.startsWith("note #"))).as("the note sent in the gap was not run")
                .allMatch(t -> t.startsWith("note #" + note + " "));
        assertThat(said(t -> t.startsWith("stream #" + stream + " interrupted"))).hasSize(1);
        assertThat(said(t -> t.contains("failed over from bd-a to bd-b"))).hasSize(1);
        assertRanOnce();
    }

    @Test
    @Order(3)
    void aPausedLeaderIsEvictedAndWhenItRunsAgainExitsWithSeventyHavingWrittenNothing() throws Exception {
        BotProcess a = launch("bd-a");
        a.expectErr("buildduty standby: leader is bd-b (epoch 2)", WAIT);
        BotProcess b = BOTS.get("bd-b");
        alice.privmsg(CHANNEL, "!run stream");
        long running = id(await("a fan-out on bd-b", t -> t.startsWith("stream #") && id(t) > highestId));
        awaitStreaming(running);
        long t0 = System.nanoTime();
        b.signal("STOP");
        BotProcess.awaitCondition("bd-a leads with epoch 3", WAIT, () -> "bd-a 3".equals(leaderQuietly()));
        Duration leads = Duration.ofNanos(System.nanoTime() - t0);
        a.expectErr("buildduty ready: leader (epoch 3) ", WAIT);
        Duration ready = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("FailoverIT: SIGSTOP of bd-b until bd-a leads (epoch 3): " + leads.toMillis()
                + " ms, until it is ready: " + ready.toMillis() + " ms");
        assertThat(leads).as("from SIGSTOP to bd-a's epoch in the journal").isLessThan(HANDOVER_LIMIT);
        // then it builds the bot, reports what was cut off, connects to IRC (the server registers a client about a
        // second later; here with an alternate nick, bd-b still holding the configured one) and says it is ready
        assertThat(ready).as("from SIGSTOP to bd-a's ready line").isLessThan(READY_LIMIT);
        String takeover = await("the takeover line", t -> t.startsWith("buildduty failed over from bd-b to bd-a at ")
                && t.contains(" UTC (epoch 3); bd-b was last alive at "));
        nickOfA = nickThatSaid(takeover);
        assertThat(takeover).endsWith("repeat any command you sent then");
        assertThat(await("the interrupted line", t -> t.startsWith("stream #" + running + " interrupted")))
                .startsWith("stream #" + running + " interrupted: the bot failed over from bd-b while it was running;"
                        + " completed: step 1 prepare (1/1 ok), step 2 stream (0/3 ok, 3 cut off)");
        // bd-b, paused, is still in the channel: it reads these when it runs again, and must neither answer them
        // nor journal anything for them
        alice.privmsg(CHANNEL, "!whoami");
        alice.privmsg(CHANNEL, "!run note");
        await("bd-a answers", t -> t.contains("testnet:alice") && said(x -> x.contains("testnet:alice")).size() == 2);
        long note = id(await("bd-a runs the note", t -> t.startsWith("note #") && id(t) > highestId));
        await("note succeeded", t -> t.startsWith("note #" + note + " ") && t.contains("succeeded"));
        highestId = note;

        Map<String, String> before = snapshot();
        int linesBefore = said(t -> true).size();
        Predicate<String> quitOfB = l -> RawIrcClient.stripTags(l).startsWith(":" + nickOfB + "!")
                && l.contains(" QUIT ");
        long quitsBefore = alice.lines().stream().filter(quitOfB).count();
        b.signal("CONT");
        assertThat(b.waitFor(WAIT)).as("exit status of the paused leader").isEqualTo(Main.LOST_LEADERSHIP);
        String stops = b.stderr().stream().filter(l -> l.startsWith("buildduty: bd-b stops leading: "))
                .findFirst().orElseThrow(() -> new AssertionError("no stops-leading line: " + b.stderr()));
        System.out.println("FailoverIT: " + stops);
        assertThat(stops).endsWith("; exiting (70)");
        // its connection's QUIT comes after anything it could have said
        BotProcess.awaitCondition("bd-b's QUIT", WAIT,
                () -> alice.lines().stream().filter(quitOfB).count() > quitsBefore);
        assertThat(snapshot()).as("the journal after bd-b ran again and exited").isEqualTo(before);
        assertRowsNotAfter(running, instant("SELECT since FROM cluster_leader WHERE epoch = 3"));
        assertThat(said(t -> true)).as("nothing said in the channel").hasSize(linesBefore);
        assertThat(leader()).isEqualTo("bd-a 3");
        assertThat(said(t -> t.contains("failed over from bd-b to bd-a"))).hasSize(1);
        if (!nickOfA.equals("buildduty")) {
            // bd-b held the configured nick while paused: bd-a takes it back once bd-b's connection is gone
            BotProcess.awaitCondition("bd-a takes back the nick buildduty", WAIT, () -> alice.lines().stream()
                    .anyMatch(l -> RawIrcClient.stripTags(l).startsWith(":" + nickOfA + "!")
                            && l.endsWith(" NICK :buildduty")));
        }
    }

    @Test
    @Order(4)
    void theOldLeaderRestartsAsStandbyAndTakesOverWithTheNextEpochWhenTheLeaderStops() throws Exception {
        BotProcess b = launch("bd-b");
        b.expectErr("buildduty standby: leader is bd-a (epoch 3)", WAIT);
        long t0 = System.nanoTime();
        // the shutdown hook stops it cleanly; the JVM's status after SIGTERM is 128 + 15
        assertThat(BOTS.get("bd-a").terminate(WAIT)).as("bd-a's exit status after SIGTERM").isEqualTo(143);
        b.expectErr("buildduty ready: leader (epoch 4) ", WAIT);
        System.out.println("FailoverIT: SIGTERM of bd-a until bd-b ready (epoch 4): "
                + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        await("the takeover line", t -> t.startsWith("buildduty: bd-b took over from bd-a at ")
                && t.contains(" UTC (epoch 4); bd-a stopped at "));
        assertThat(said(t -> t.contains("took over from"))).hasSize(1);

        alice.privmsg(CHANNEL, "!run note");
        long note = id(await("a new operation", t -> t.startsWith("note #") && id(t) > highestId));
        await("note succeeded", t -> t.startsWith("note #" + note + " ") && t.contains("succeeded"));
        assertThat(said(t -> t.contains(" interrupted: "))).as("one interrupted line per cut-off fan-out")
                .hasSize(2);
        assertRanOnce();
        assertThat(leader()).isEqualTo("bd-b 4");
    }

    /** Every host run and output row of operation {@code op} is from {@code end} or before. */
    private static void assertRowsNotAfter(long op, Instant end) throws SQLException {
        for (String sql : List.of("SELECT started_at FROM host_runs WHERE op = ?",
                "SELECT ended_at FROM host_runs WHERE op = ? AND ended_at IS NOT NULL",
                "SELECT at FROM output WHERE op = ?")) {
            for (Instant at : instants(sql, op)) {
                assertThat(at).as(sql.replace("?", Long.toString(op))).isBeforeOrEqualTo(end);
            }
        }
    }

    /** Waits until the journal has output of fan-out {@code op} and its three hosts run. */
    private static void awaitStreaming(long op) throws InterruptedException {
        BotProcess.awaitCondition("stream #" + op + " streaming on its three hosts", WAIT,
                () -> count("SELECT count(*) FROM output WHERE op = " + op + " AND step_index = 1") >= 6
                        && count("SELECT count(*) FROM host_runs WHERE op = " + op
                                + " AND step_index = 1 AND started_at IS NOT NULL AND ended_at IS NULL") == 3);
    }

    /** The approved request ran once: one start, one host run, one line in its marker file, one success line. */
    private static void assertRanOnce() throws Exception {
        assertThat(said(t -> t.startsWith("gated #" + gated + " approved by"))).hasSize(1);
        assertThat(said(t -> t.startsWith("gated #" + gated + " ") && t.contains("succeeded"))).hasSize(1);
        assertThat(count("SELECT count(*) FROM host_runs WHERE op = " + gated)).isEqualTo(1);
        assertThat(text("SELECT state FROM operations WHERE id = " + gated)).isEqualTo("SUCCEEDED");
        assertThat(Files.readAllLines(dir.resolve("gated-ran"))).hasSize(1);
    }

    private static BotProcess launch(String instance) throws IOException {
        BotProcess p = BotProcess.start(dir.resolve(instance), List.of("--config", "buildduty.yml"),
                Map.of("IRC_PASSWORD", BOT_PASSWORD));
        STARTED.add(p);
        BOTS.put(instance, p);
        return p;
    }

    /** What the bot (under its nick or an alternate) said in the channel, in order, matching {@code p}. */
    private static List<String> said(Predicate<String> p) {
        return alice.lines().stream().map(FailoverIT::saidText).filter(Objects::nonNull).filter(p).toList();
    }

    private static String saidText(String line) {
        Matcher m = SAID.matcher(RawIrcClient.stripTags(line));
        return m.matches() ? m.group(2) : null;
    }

    /** Waits until the bot has said a line matching {@code p} in the channel, at any time so far, and returns it. */
    private static String await(String what, Predicate<String> p) throws InterruptedException {
        String[] found = new String[1];
        try {
            BotProcess.awaitCondition(what, WAIT, () -> {
                List<String> got = said(p);
                found[0] = got.isEmpty() ? null : got.get(0);
                return found[0] != null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the bot said: " + said(t -> true), e);
        }
        return found[0];
    }

    private static String nickThatSaid(String text) {
        return alice.lines().stream().map(l -> SAID.matcher(RawIrcClient.stripTags(l)))
                .filter(m -> m.matches() && m.group(2).equals(text)).findFirst().orElseThrow().group(1);
    }

    private static long id(String said) {
        Matcher m = TITLE.matcher(said);
        assertThat(m.find()).as("an operation title in: " + said).isTrue();
        return Long.parseLong(m.group(2));
    }

    private static Connection journal() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(db));
    }

    private static long count(String sql) {
        try (Connection c = journal(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            if (e.getMessage().contains("does not exist")) {
                return 0;
            }
            throw new AssertionError(sql, e);
        }
    }

    private static String text(String sql) throws SQLException {
        try (Connection c = journal(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static Instant instant(String sql) throws SQLException {
        try (Connection c = journal(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static List<Instant> instants(String sql, long op) throws SQLException {
        List<Instant> out = new ArrayList<>();
        try (Connection c = journal(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, op);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Instant.parse(rs.getString(1)));
                }
            }
        }
        assertThat(out).as(sql).isNotEmpty();
        return out;
    }

    private static String leader() throws SQLException {
        return text("SELECT instance || ' ' || epoch FROM cluster_leader WHERE id = 1");
    }

    private static String leaderQuietly() {
        try {
            return leader();
        } catch (SQLException e) {
            return "unknown: " + e.getMessage();
        }
    }

    /** Each journal table's row count and highest id (or, for output and state, a digest of its keys). */
    private static Map<String, String> snapshot() throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String table : TABLES) {
            String key = switch (table) {
                case "output" -> "max(op) || '/' || max(seq) || '/' || max(at)";
                case "state" -> "md5(string_agg(kind || key || body, ',' ORDER BY kind, key))";
                case "operations" -> "max(id) || '/' || string_agg(state, ',' ORDER BY id)";
                default -> "max(id)";
            };
            out.put(table, text("SELECT count(*) || ' ' || coalesce((" + key + ")::text, '') FROM " + table));
        }
        return out;
    }

    private static void writeConfig(String instance) throws IOException {
        Path d = dir.resolve(instance);
        Files.createDirectories(d.resolve("runbooks"));
        Files.writeString(d.resolve("runbooks/gated.yml"), """
                name: gated
                description: needs two approvals, then marks that it ran
                role: releng
                approval: { role: releng, required: 2, self_approve: true, timeout: 15m }
                steps:
                  - name: mark
                    local: { command: "echo ran >> %s; echo gated ran" }
                """.formatted(dir.resolve("gated-ran")));
        Files.writeString(d.resolve("runbooks/stream.yml"), """
                name: stream
                description: prepares, then streams output from three hosts for a while
                role: releng
                steps:
                  - name: prepare
                    local: { command: "echo prepared" }
                  - name: stream
                    local:
                      hosts: fleet
                      parallel: 3
                      command: "for i in $(seq 1 40); do echo {{host}} line $i; sleep 0.5; done"
                """);
        Files.writeString(d.resolve("runbooks/note.yml"), """
                name: note
                description: says one line
                role: releng
                steps:
                  - name: note
                    local: { command: "echo noted" }
                """);
        Files.writeString(d.resolve("buildduty.yml"), """
                bot:
                  nick: buildduty
                  journal: "postgresql://127.0.0.1:%d/%s?user=postgres"
                  instance: %s
                  ha: { heartbeat: 500ms, takeover_after: 3s }
                  runbooks: runbooks
                  web: "off"
                connectors:
                  - id: testnet
                    type: irc
                    server: 127.0.0.1
                    port: %d
                    tls: false
                    sasl: { account: buildduty, password_env: IRC_PASSWORD }
                    channels: ["%s"]
                roles:
                  releng: ["testnet:alice", "testnet:bob"]
                inventory:
                  hosts:
                    h1: { address: 127.0.0.1, groups: [fleet] }
                    h2: { address: 127.0.0.1, groups: [fleet] }
                    h3: { address: 127.0.0.1, groups: [fleet] }
                """.formatted(pg.port(), db, instance, NET.get().port(), CHANNEL));
    }
}
