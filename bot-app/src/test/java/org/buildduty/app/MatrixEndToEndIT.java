package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.FakeMatrixServer;
import org.buildduty.connectors.testing.FakeMatrixServer.Sent;

/**
 * The real jar with a Matrix connector against the fake homeserver over HTTP on 127.0.0.1: a user's command is
 * answered in the room; a runbook run reports in a thread rooted at the request, with its status message edited in
 * place ({@code m.replace}) to the final result; a restart does not run old commands again; a rejected access
 * token stops the start with one line (exit 2); rate-limited sends and dropped syncs lose and repeat nothing.
 */
class MatrixEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOT = "@buildduty:fake.test";
    private static final String ALICE = "@alice:fake.test";
    private static final String BOB = "@bob:fake.test";
    private static final String ROOM = "!releng:fake.test";
    private static final String TOKEN = "syt_e2e_secret_0815";

    @TempDir
    Path dir;
    private FakeMatrixServer hs;

    @BeforeEach
    void homeserver() throws IOException {
        hs = FakeMatrixServer.start(BOT, TOKEN);
        hs.createRoom(ROOM, 5);
        writeConfig();
    }

    @AfterEach
    void stop() {
        hs.close();
    }

    @Test
    void whoamiAndARunbookRunInTheRoomAndNoReplayAfterARestart() throws Exception {
        try (BotProcess bot = startBot(TOKEN)) {
            hs.say(ROOM, ALICE, "!whoami");
            Sent whoami = hs.awaitSent(text("you are matrix:@alice:fake.test"), WAIT);
            assertThat(whoami.body()).contains("releng");
            assertThat(whoami.roomId()).isEqualTo(ROOM);

            String request = hs.say(ROOM, ALICE, "!run demo --pause 0");
            Sent answer = hs.awaitSent(text("demo #1 started"), WAIT);
            assertThat(answer.relType()).as("the answer stays in the room").isEmpty();
            Sent first = hs.awaitSent(text("demo #1 requested by @alice:fake.test"), WAIT);
            assertThat(first.relType()).isEqualTo("m.thread");
            assertThat(first.relatesTo()).as("the thread is rooted at the request").isEqualTo(request);
            assertThat(first.content().path("m.relates_to").path("m.in_reply_to").path("event_id").asText())
                    .isEqualTo(request);
            Sent done = hs.awaitSent(s -> s.relType().equals("m.replace") && text("demo #1").and(text("succeeded"))
                    .test(s), WAIT);
            assertThat(done.content().path("m.new_content").path("body").asText()).contains("3/3");
            Sent status = hs.sent().stream().filter(s -> s.eventId().equals(done.relatesTo())).findFirst()
                    .orElseThrow(() -> new AssertionError("the edited status message was not sent: " + hs.sent()));
            assertThat(status.relType()).as("the status message is in the thread").isEqualTo("m.thread");
            assertThat(status.relatesTo()).isEqualTo(request);
            assertThat(hs.sent()).filteredOn(s -> s.relType().equals("m.replace"))
                    .allSatisfy(s -> assertThat(s.relatesTo()).isEqualTo(status.eventId()));
            assertThat(hs.sent()).allSatisfy(s -> assertThat(s.content().path("msgtype").asText())
                    .isEqualTo("m.notice"));
            assertThat(hs.sent()).extracting(Sent::txnId).doesNotHaveDuplicates();
            hs.awaitCaughtUp(WAIT);
            assertThat(bot.stderr()).noneMatch(l -> l.contains(TOKEN));
        }
        int before = hs.sent().size();
        try (BotProcess bot = startBot(TOKEN)) {
            hs.say(ROOM, ALICE, "!whoami");
            hs.awaitSent(s -> hs.sent().indexOf(s) >= before && text("you are matrix:@alice").test(s), WAIT);
            hs.awaitCaughtUp(WAIT);
            assertThat(hs.sent().subList(before, hs.sent().size())).noneMatch(text("demo #"));
            assertThat(String.join("\n", bot.stderr())).doesNotContain(TOKEN);
        }
        assertThat(hs.requests()).noneMatch(r -> r.target().contains(TOKEN));
        assertThat(Files.readString(dir.resolve("buildduty.log"))).doesNotContain(TOKEN);
    }

    @Test
    void aRejectedAccessTokenIsAOneLineStartUpError() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("MATRIX_TOKEN", "not-the-token"))) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).anyMatch(l -> l.startsWith("buildduty: Matrix matrix: the homeserver rejected"
                    + " the access token") && l.contains("M_UNKNOWN_TOKEN"));
            assertThat(String.join("\n", bot.stderr())).doesNotContain("not-the-token").doesNotContain("at org.");
        }
    }

    @Test
    void rateLimitedSendsAndDroppedSyncsNeitherLoseNorRepeatAnything() throws Exception {
        try (BotProcess bot = startBot(TOKEN)) {
            hs.awaitCaughtUp(WAIT);
            hs.rateLimitSends(3, 200);
            // the poll held now delivers the run; the next two syncs lose their connection (1 s, then 2 s of backoff)
            hs.dropSyncs(2);
            int syncsBefore = syncRequests();
            String run = hs.say(ROOM, ALICE, "!run demo --pause 0");
            BotProcess.awaitCondition("a sync after the dropped ones", WAIT, () -> syncRequests() > syncsBefore);
            hs.say(ROOM, ALICE, "!whoami");   // posted while the syncs fail
            hs.awaitSent(text("you are matrix:@alice:fake.test"), WAIT);
            Sent done = hs.awaitSent(s -> s.relType().equals("m.replace") && text("demo #1").and(text("succeeded"))
                    .test(s), WAIT);
            hs.say(ROOM, BOB, "!whoami");   // a barrier: anything replayed before it would be answered by now
            hs.awaitSent(text("you are matrix:@bob:fake.test"), WAIT);
            hs.awaitCaughtUp(WAIT);

            List<Sent> sent = hs.sent();
            List<String> posts = sent.stream().filter(s -> !s.relType().equals("m.replace"))
                    .map(s -> s.body().startsWith("demo #1 [") ? "demo #1 [status]" : s.body()).toList();
            assertThat(posts).as("every line once, none lost").containsExactlyInAnyOrder(
                    "demo #1 requested by @alice:fake.test: hosts='local (2)' parallel=2 pause=0 fail=no",
                    "demo #1 started: hosts='local (2)' parallel=2 pause=0 fail=no · steps: 1) prepare 2) fan out "
                            + "on 2 3) finish",
                    "#1 step 1/3: prepare",
                    "demo #1 [status]",
                    "#1 step 2/3: fan out on 2 hosts",
                    "#1 step 3/3: finish",
                    "you are matrix:@alice:fake.test; roles: releng",
                    "you are matrix:@bob:fake.test; no roles");
            assertThat(posts).filteredOn(p -> p.startsWith("#1 step ")).as("in order").containsExactly(
                    "#1 step 1/3: prepare", "#1 step 2/3: fan out on 2 hosts", "#1 step 3/3: finish");
            Sent status = sent.stream().filter(s -> s.eventId().equals(done.relatesTo())).findFirst()
                    .orElseThrow(() -> new AssertionError("the edited status message was not sent: " + sent));
            assertThat(status.relatesTo()).as("the status message is in the run's thread").isEqualTo(run);
            assertThat(sent).filteredOn(s -> s.relType().equals("m.replace")).as("edits of the status message only")
                    .allSatisfy(s -> assertThat(s.relatesTo()).isEqualTo(status.eventId()))
                    .filteredOn(text("succeeded")).as("the run ends succeeded once").containsExactly(done);
            assertThat(done.content().path("m.new_content").path("body").asText()).contains("3/3");
            assertThat(sent).extracting(Sent::txnId).as("no event twice").doesNotHaveDuplicates();
            assertThat(hs.sendAttempts()).as("each 429 retried with the same transaction id")
                    .hasSize(sent.size() + 3).isSubsetOf(sent.stream().map(Sent::txnId).toList());
            assertThat(syncRequests() - syncsBefore).as("two dropped syncs, then good ones").isGreaterThanOrEqualTo(3);
            assertThat(bot.stderr()).noneMatch(l -> l.contains(TOKEN));
        }
    }

    private int syncRequests() {
        return (int) hs.requests().stream().filter(r -> r.target().contains("/sync")).count();
    }

    /** The body, or the new content of an edit, contains {@code part}. */
    private static Predicate<Sent> text(String part) {
        return s -> s.body().contains(part)
                || s.content().path("m.new_content").path("body").asText("").contains(part);
    }

    private BotProcess startBot(String token) throws Exception {
        BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of("MATRIX_TOKEN", token));
        bot.expectErr("buildduty ready", WAIT);
        return bot;
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.copy(Path.of("..", "config", "runbooks", "demo.yml"), dir.resolve("runbooks/demo.yml"));
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { nick: buildduty, journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors:
                  - id: matrix
                    type: matrix
                    homeserver: %s
                    user: "%s"
                    access_token_env: MATRIX_TOKEN
                    rooms: ["%s"]
                    allow_invites_from: ["%s"]
                roles:
                  releng: ["matrix:%s"]
                inventory:
                  hosts:
                    local1: { address: 127.0.0.1, groups: [local] }
                    local2: { address: 127.0.0.1, groups: [local] }
                """.formatted(hs.url(), BOT, ROOM, ALICE, ALICE));
    }
}
