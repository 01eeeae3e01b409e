package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.FakeMatrixServer;
import org.buildduty.connectors.testing.FakeMatrixServer.Sent;
import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.core.time.Ticker;

/**
 * The real jar with a Matrix and a Zulip connector against their contract fakes: a reaction on the bot's approval
 * request approves (✅ 👍 ✔) as {@code approve <id>} does, under the same rules and with the same answers. A
 * reaction by someone without the role is not counted and says so in one line; the requester's is refused; a
 * reaction removed before the approval completes (required: 2) no longer counts. Ids are global: a request on
 * Matrix, approved by a reaction there and by a command typed on Zulip ({@code bot.private_approvals: true}), where
 * {@code people:} makes bob's two identities one approver. One bot serves every method.
 */
class ReactionApprovalIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOT = "@buildduty:fake.test";
    private static final String ALICE = "@alice:fake.test";
    private static final String BOB = "@bob:fake.test";
    private static final String CAROL = "@carol:fake.test";
    private static final String DAVE = "@dave:fake.test";
    private static final String ROOM = "!releng:fake.test";
    private static final String TOKEN = "syt_reactions_secret_4242";
    private static final String ZULIP_BOT = "buildduty-bot@example.com";
    private static final String ZULIP_KEY = "zulip-key-reactions-0123456789";
    private static final String CHECK = "\u2705";
    private static final Pattern ID = Pattern.compile("gated #(\\d+) by ");

    @TempDir
    static Path dir;
    private static FakeMatrixServer hs;
    private static FakeZulipServer zulip;
    private static BotProcess bot;

    @BeforeAll
    static void start() throws Exception {
        hs = FakeMatrixServer.start(BOT, TOKEN);
        hs.createRoom(ROOM, 5);
        zulip = FakeZulipServer.start(ZULIP_BOT, ZULIP_KEY, "buildduty", Ticker.system());
        for (String who : List.of("alice", "bob", "carol", "dave")) {
            zulip.addUser(who + "@example.com", who);
        }
        writeConfig();
        bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("MATRIX_TOKEN", TOKEN, "ZULIP_API_KEY", ZULIP_KEY));
        bot.expectErr("buildduty ready", WAIT);
    }

    @AfterAll
    static void stop() throws IOException {
        if (bot != null) {
            bot.close();
        }
        if (hs != null) {
            hs.close();
        }
        if (zulip != null) {
            zulip.close();
        }
    }

    @Test
    void matrixReactionsApproveUnderTheTypedCommandsRules() throws Exception {
        int from = hs.sent().size();
        hs.say(ROOM, ALICE, "!run gated");
        Sent ask = hs.awaitSent(s -> hs.sent().indexOf(s) >= from && text("approve with").test(s), WAIT);
        assertThat(ask.roomId()).isEqualTo(ROOM);
        String n = id(ask.body());
        String title = "gated #" + n;

        hs.react(ROOM, DAVE, ask.eventId(), CHECK);
        hs.awaitSent(text("approving " + title + " needs role releng (you are matrix:" + DAVE + ")"), WAIT);
        hs.react(ROOM, ALICE, ask.eventId(), CHECK);
        hs.awaitSent(text("you requested " + title + "; someone else with role releng must approve it"), WAIT);
        String bobs = hs.react(ROOM, BOB, ask.eventId(), "\uD83D\uDC4D\uD83C\uDFFD");
        hs.awaitSent(text(title + ": approval by " + BOB + " counted (1 of 2"), WAIT);
        hs.redact(ROOM, BOB, bobs, false);
        hs.awaitSent(text(BOB + "'s approval of " + title + " withdrawn (reaction removed); 0 of 2"), WAIT);
        hs.react(ROOM, CAROL, ask.eventId(), CHECK);
        hs.awaitSent(text(title + ": approval by " + CAROL + " counted (1 of 2"), WAIT);
        hs.react(ROOM, BOB, ask.eventId(), "\u2714\uFE0F");
        hs.awaitSent(text(title + " approved by " + CAROL + ", " + BOB + "; running"), WAIT);
        hs.awaitSent(s -> s.relType().equals("m.replace") && text(title).and(text("succeeded")).test(s), WAIT);

        assertThat(hs.sent()).filteredOn(text("you are matrix:" + DAVE)).as("one line for dave's reaction")
                .hasSize(1);
        assertThat(hs.sent()).filteredOn(s -> s.body().contains(title) && !s.relType().equals("m.replace")
                && !s.relType().equals("m.thread")).as("every answer in the room of the request")
                .allSatisfy(s -> assertThat(s.roomId()).isEqualTo(ROOM));
    }

    @Test
    void zulipReactionsApproveUnderTheTypedCommandsRules() throws Exception {
        zulip.postStream("alice@example.com", "releng", "deploys", "!run gated");
        FakeZulipServer.Message ask = zulip.awaitMessage(m -> m.content().contains("approve with")
                && m.content().contains("alice@example.com"), WAIT);
        assertThat(ask.topic()).isEqualTo("deploys");
        String title = "gated #" + id(ask.content());

        zulip.react("dave@example.com", ask.id(), "check", "2705", true, false);
        awaitZulip("approving " + title + " needs role releng (you are zulip:dave@example.com)");
        zulip.react("alice@example.com", ask.id(), "check", "2705", true, true);
        awaitZulip("you requested " + title + "; someone else with role releng must approve it");
        zulip.react("bob@example.com", ask.id(), "thumbs_up", "1f44d", true, false);
        awaitZulip(title + ": approval by bob@example.com counted (1 of 2");
        zulip.react("bob@example.com", ask.id(), "thumbs_up", "1f44d", false, false);
        awaitZulip("bob@example.com's approval of " + title + " withdrawn (reaction removed); 0 of 2");
        zulip.react("carol@example.com", ask.id(), "check", "2705", true, true);
        awaitZulip(title + ": approval by carol@example.com counted (1 of 2");
        zulip.react("bob@example.com", ask.id(), "check_mark", "2714", true, false);
        awaitZulip(title + " approved by carol@example.com, bob@example.com; running");
        zulip.awaitMessage(m -> title.equals(m.topic()) && m.content().contains("succeeded"), WAIT);

        assertThat(zulip.botMessages()).filteredOn(m -> m.content().contains("you are zulip:dave@example.com"))
                .as("one line for dave's reaction").hasSize(1).allSatisfy(m -> assertThat(m.topic())
                        .isEqualTo("deploys"));
    }

    @Test
    void requestedOnMatrixApprovedByAReactionThereAndACommandTypedOnZulip() throws Exception {
        int from = hs.sent().size();
        hs.say(ROOM, ALICE, "!run gated");
        Sent ask = hs.awaitSent(s -> hs.sent().indexOf(s) >= from && text("approve with").test(s), WAIT);
        String n = id(ask.body());
        String title = "gated #" + n;
        hs.react(ROOM, BOB, ask.eventId(), CHECK);
        hs.awaitSent(text(title + ": approval by " + BOB + " counted (1 of 2"), WAIT);

        zulip.postStream("bob@example.com", "releng", "elsewhere", "!approve " + n);
        awaitZulip("you already approved " + title + " as matrix:" + BOB + " (1 of 2)");
        zulip.postStream("carol@example.com", "releng", "elsewhere", "!approve " + n);
        awaitZulip(title + " approved by " + BOB + ", carol@example.com; running");
        hs.awaitSent(s -> s.relType().equals("m.replace") && text(title).and(text("succeeded")).test(s), WAIT);
    }

    private static FakeZulipServer.Message awaitZulip(String part) throws InterruptedException {
        return zulip.awaitMessage(m -> m.content().contains(part), WAIT);
    }

    private static String id(String request) {
        Matcher m = ID.matcher(request);
        assertThat(m.find()).as("an operation id in: " + request).isTrue();
        return m.group(1);
    }

    /** The body, or the new content of an edit, contains {@code part}. */
    private static Predicate<Sent> text(String part) {
        return s -> s.body().contains(part)
                || s.content().path("m.new_content").path("body").asText("").contains(part);
    }

    private static void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/gated.yml"), """
                name: gated
                description: needs two approvals
                role: releng
                approval: { role: releng, required: 2, self_approve: false, timeout: 15m }
                steps:
                  - name: greet
                    local: { command: "echo approved twice" }
                """);
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { nick: buildduty, journal: data/bot.db, runbooks: runbooks, web: "off", \
                private_approvals: true }
                connectors:
                  - id: matrix
                    type: matrix
                    homeserver: %s
                    user: "%s"
                    access_token_env: MATRIX_TOKEN
                    rooms: ["%s"]
                  - id: zulip
                    type: zulip
                    site: %s
                    email: %s
                    api_key_env: ZULIP_API_KEY
                    streams: [releng]
                roles:
                  releng: ["matrix:%s", "matrix:%s", "matrix:%s", "zulip:alice@example.com",
                           "zulip:bob@example.com", "zulip:carol@example.com"]
                people:
                  bob: ["matrix:%s", "zulip:bob@example.com"]
                """.formatted(hs.url(), BOT, ROOM, zulip.site(), ZULIP_BOT, ALICE, BOB, CAROL, BOB));
    }
}
