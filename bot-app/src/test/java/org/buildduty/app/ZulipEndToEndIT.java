package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.core.time.Ticker;

/**
 * The real jar with a Zulip connector pointed at the fake Zulip server on 127.0.0.1: a command in a stream topic
 * and one in a private message are answered where they were asked, a runbook run reports in its own topic
 * ({@code hello #1}) with its status message edited in place, a restart does not run old messages again, a
 * refused API key is a one-line start-up error (exit 2), and a lost event queue and rate-limited sends lose and
 * repeat nothing.
 */
class ZulipEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOT = "buildduty-bot@example.com";
    private static final String KEY = "zulip-key-8f7e6d5c4b3a2910";

    @TempDir
    Path dir;
    private FakeZulipServer zulip;

    @BeforeEach
    void server() throws IOException {
        zulip = FakeZulipServer.start(BOT, KEY, "buildduty", Ticker.system());
        zulip.addUser("alice@example.com", "Alice Adams");
        zulip.addUser("bob@example.com", "Bob Brown");
    }

    @AfterEach
    void stop() throws IOException {
        zulip.close();
    }

    @Test
    void commandsInAStreamAndInPrivateAndARunbookRunWithoutReplayAfterARestart() throws Exception {
        writeConfig(apiKeyConnector());
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("ZULIP_API_KEY", KEY))) {
            bot.expectErr("buildduty ready", WAIT);
            zulip.postStream("alice@example.com", "releng", "deploys", "!whoami");
            FakeZulipServer.Message whoami = zulip.awaitMessage(
                    m -> m.content().contains("you are zulip:alice@example.com"), WAIT);
            assertThat(whoami.stream()).isEqualTo("releng");
            assertThat(whoami.topic()).isEqualTo("deploys");
            assertThat(whoami.content()).contains("releng");

            zulip.postPrivate("bob@example.com", "whoami");
            FakeZulipServer.Message pm = zulip.awaitMessage(
                    m -> m.content().contains("you are zulip:bob@example.com"), WAIT);
            assertThat(pm.type()).isEqualTo("private");
            assertThat(pm.recipients()).contains("bob@example.com");

            zulip.postStream("alice@example.com", "releng", "deploys", "@**buildduty** run hello --who zulip");
            FakeZulipServer.Message answer = zulip.awaitMessage(m -> m.content().contains("hello #1 started"), WAIT);
            assertThat(answer.topic()).as("the answer stays where it was asked").isEqualTo("deploys");
            FakeZulipServer.Message first = zulip.awaitMessage(m -> "hello #1".equals(m.topic()), WAIT);
            assertThat(first.stream()).isEqualTo("releng");
            assertThat(first.content()).contains("requested by alice@example.com");
            FakeZulipServer.Message done = zulip.awaitMessage(m -> "hello #1".equals(m.topic())
                    && m.content().contains("succeeded"), WAIT);
            assertThat(done.content()).contains("2/2 steps");
            assertThat(done.edits()).as("the status message is edited in place").isGreaterThanOrEqualTo(1);
            assertThat(zulip.botMessages()).allSatisfy(m -> assertThat(m.stream() == null
                    || m.stream().equals("releng")).isTrue());
            assertThat(zulip.botMessages()).filteredOn(m -> "releng".equals(m.stream()))
                    .extracting(FakeZulipServer.Message::topic).containsOnly("deploys", "hello #1");
        }
        int answers = countWhoamiAnswers();
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("ZULIP_API_KEY", KEY))) {
            bot.expectErr("buildduty ready", WAIT);
            zulip.postStream("alice@example.com", "releng", "after restart", "!whoami");
            zulip.awaitMessage(m -> "after restart".equals(m.topic()) && m.content().contains("you are"), WAIT);
            assertThat(countWhoamiAnswers()).as("old commands are not run again after a restart")
                    .isEqualTo(answers + 1);
            assertThat(String.join("\n", bot.stderr())).doesNotContain(KEY);
        }
        assertThat(Files.readString(dir.resolve("buildduty.log"))).doesNotContain(KEY);
        assertThat(zulip.calls()).allSatisfy(c -> assertThat(c.url() + c.body()).doesNotContain(KEY));
    }

    @Test
    void aRefusedApiKeyIsAOneLineStartUpError() throws Exception {
        Path rc = dir.resolve("zuliprc");
        Files.writeString(rc, "[api]\nemail=%s\nkey=not-the-key-123\nsite=%s\n".formatted(BOT, zulip.site()));
        writeConfig("""
                  - id: zulip
                    type: zulip
                    zuliprc: %s
                    streams: [releng]
                """.formatted(rc));
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).anyMatch(l -> l.startsWith("buildduty: Zulip zulip: ")
                    && l.contains("INVALID_API_KEY") && l.contains(BOT));
            assertThat(String.join("\n", bot.stderr())).doesNotContain("not-the-key-123").doesNotContain("at org.");
        }
    }

    @Test
    void aLostEventQueueAndRateLimitedSendsNeitherLoseNorRepeatAnything() throws Exception {
        writeConfig(apiKeyConnector());
        Path go = dir.resolve("go");
        Files.writeString(dir.resolve("runbooks/gated.yml"), """
                name: gated
                description: waits for the test's go
                role: releng
                steps:
                  - name: greet
                    local: { command: "echo hello" }
                  - name: gate
                    local: { command: "while [ ! -e '%s' ]; do sleep 0.05; done; echo through" }
                    timeout: 1m
                """.formatted(go));
        // no heartbeats: an idle bot holds its poll, so the test knows which requests come next
        zulip.heartbeatAfter(Duration.ofMinutes(5));
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("ZULIP_API_KEY", KEY))) {
            bot.expectErr("buildduty ready", WAIT);
            zulip.postStream("alice@example.com", "releng", "deploys", "@**buildduty** run gated");
            zulip.awaitMessage(m -> m.content().contains("gated #1 started"), WAIT);
            zulip.awaitMessage(m -> "gated #1".equals(m.topic()) && m.content().contains("step 2/2"), WAIT);

            long[] gap = new long[1];
            zulip.dropQueues(() -> gap[0] = zulip.postStream("alice@example.com", "releng", "deploys", "!whoami"));
            FakeZulipServer.Message whoami = zulip.awaitMessage(
                    m -> m.content().contains("you are zulip:alice@example.com"), WAIT);
            assertThat(whoami.stream()).isEqualTo("releng");
            assertThat(whoami.topic()).isEqualTo("deploys");
            BotProcess.awaitCondition("the new queue's poll held", WAIT, () -> pollHeld(zulip.calls()));
            int limited = zulip.calls().size();
            zulip.rateLimitNext(3, 0.2);   // the poll is held and the run waits: the next requests are its sends
            Files.writeString(go, "");
            FakeZulipServer.Message done = zulip.awaitMessage(m -> "gated #1".equals(m.topic())
                    && m.content().contains("succeeded"), WAIT);
            zulip.postPrivate("bob@example.com", "whoami");   // a barrier: a replay before it is answered by now
            zulip.awaitMessage(m -> m.content().contains("you are zulip:bob@example.com"), WAIT);

            List<FakeZulipServer.Call> calls = zulip.calls();
            for (int i = limited; i < limited + 3; i++) {
                FakeZulipServer.Call c = calls.get(i);
                assertThat(c.path()).as("a rate-limited send").startsWith("/api/v1/messages");
                assertThat(c.method()).isIn("POST", "PATCH");
                assertThat(calls.subList(limited + 3, calls.size())).as("retried as it was, after the three 429s")
                        .anyMatch(r -> r.method().equals(c.method()) && r.path().equals(c.path())
                                && r.body().equals(c.body()));
            }
            List<FakeZulipServer.Message> sent = zulip.botMessages();
            assertThat(sent).extracting(m -> m.content().startsWith("gated #1 [") ? "gated #1 [status]" : m.content())
                    .as("every message once, none lost").containsExactlyInAnyOrder(
                            "gated #1 requested by alice@example.com",
                            "gated #1 started · steps: 1) greet 2) gate",
                            "#1 step 1/2: greet",
                            "gated #1 [status]",
                            "#1 step 2/2: gate",
                            "you are zulip:alice@example.com; roles: releng",
                            "you are zulip:bob@example.com; no roles");
            assertThat(sent).extracting(FakeZulipServer.Message::content).filteredOn(c -> c.startsWith("#1 step "))
                    .as("in order").containsExactly("#1 step 1/2: greet", "#1 step 2/2: gate");
            assertThat(sent).filteredOn(m -> m.content().contains("succeeded")).as("the run ends succeeded once")
                    .containsExactly(done);
            assertThat(done.content()).contains("2/2 steps");
            assertThat(done.edits()).as("the status message is edited in place").isGreaterThanOrEqualTo(1);
            assertThat(zulip.registrations()).as("one new queue after the lost one").isEqualTo(2);
            assertThat(calls).as("the gap is fetched from the last handled message")
                    .anyMatch(c -> c.method().equals("GET") && c.path().equals("/api/v1/messages")
                            && anchor(c.url()) < gap[0]);
            assertThat(String.join("\n", bot.stderr())).doesNotContain(KEY);
        }
    }

    /** The anchor of a {@code GET /messages} call. */
    private static long anchor(String url) {
        return Long.parseLong(param(url, "anchor"));
    }

    /**
     * True once the poll of the event queue registered last is past its first event (the bot's answer, the only
     * message since that queue was registered): with no heartbeats, that poll is held until the next event.
     */
    private static boolean pollHeld(List<FakeZulipServer.Call> calls) {
        int registered = lastIndex(calls, c -> c.method().equals("POST") && c.path().equals("/api/v1/register"));
        List<Long> seen = calls.subList(registered + 1, calls.size()).stream().filter(c -> c.method().equals("GET")
                && c.path().equals("/api/v1/events")).map(c -> Long.parseLong(param(c.url(), "last_event_id")))
                .toList();
        return seen.size() >= 2 && seen.get(seen.size() - 1) > seen.get(0);
    }

    private static String param(String url, String name) {
        String value = HttpUrl.get(url).queryParameter(name);
        return value == null ? "" : value;
    }

    private static int lastIndex(List<FakeZulipServer.Call> calls, Predicate<FakeZulipServer.Call> p) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (p.test(calls.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private int countWhoamiAnswers() {
        return (int) zulip.botMessages().stream().filter(m -> m.content().contains("you are zulip:")).count();
    }

    /** The Zulip connector at the fake server, with the bot's API key from {@code ZULIP_API_KEY}. */
    private String apiKeyConnector() {
        return """
                  - id: zulip
                    type: zulip
                    site: %s
                    email: %s
                    api_key_env: ZULIP_API_KEY
                    streams: [releng]
                """.formatted(zulip.site(), BOT);
    }

    private void writeConfig(String connector) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/hello.yml"), BotFiles.HELLO + """
                  - name: pause
                    local: { command: "sleep 1; echo done" }
                """);
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { nick: buildduty, journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors:
                %s
                roles:
                  releng: ["zulip:alice@example.com"]
                """.formatted(connector.stripTrailing()));
    }
}
