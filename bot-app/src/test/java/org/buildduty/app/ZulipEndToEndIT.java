package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.core.time.Ticker;

/**
 * The real jar with a Zulip connector pointed at the fake Zulip server on 127.0.0.1: a command in a stream topic
 * and one in a private message are answered where they were asked, a runbook run reports in its own topic
 * ({@code hello #1}) with its status message edited in place, a restart does not run old messages again, and a
 * refused API key is a one-line start-up error (exit 2).
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
        writeConfig("""
                  - id: zulip
                    type: zulip
                    site: %s
                    email: %s
                    api_key_env: ZULIP_API_KEY
                    streams: [releng]
                """.formatted(zulip.site(), BOT));
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

    private int countWhoamiAnswers() {
        return (int) zulip.botMessages().stream().filter(m -> m.content().contains("you are zulip:")).count();
    }

    private void writeConfig(String connector) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/hello.yml"), """
                name: hello
                description: says hello
                role: releng
                params: { who: { type: string, default: world } }
                steps:
                  - name: greet
                    local: { command: "echo hello {{who}}" }
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
