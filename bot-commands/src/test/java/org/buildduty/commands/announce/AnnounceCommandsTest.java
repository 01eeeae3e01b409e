package org.buildduty.commands.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookCommands;
import org.buildduty.commands.runbook.RunbookLoader;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.LateAnnouncer;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.TestBot;

class AnnounceCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot start() {
        bot = TestBot.builder().commands(AnnounceCommands::register).anonymous(true).role("releng", "alice").build();
        return bot;
    }

    private List<ChatAddress> sentTo(String text) {
        return bot.chat().sent().stream().filter(s -> s.text().equals(text)).map(FakeConnector.Sent::to).toList();
    }

    @Test
    void postsTheTextInTheTargetRoomAndAnswersWhere() {
        start();
        assertThat(bot.send("alice", "!announce #ops buildbot goes down at 14:00 UTC for   \"an upgrade\""))
                .containsExactly("buildbot goes down at 14:00 UTC for an upgrade", "announced in chat:#ops");
        assertThat(sentTo("buildbot goes down at 14:00 UTC for an upgrade")).containsExactly(
                ChatAddress.of("chat", "#ops"));
        assertThat(bot.send("alice", "!announce chat:#releng --not-an-option")).containsExactly("--not-an-option",
                "announced in chat:#releng");
    }

    @Test
    void needsTheRelengRole() {
        start();
        List<String> answer = bot.send("mallory", "!announce #ops hi");
        assertThat(answer).hasSize(1);
        assertThat(answer.get(0)).contains("releng");
        assertThat(sentTo("hi")).isEmpty();
    }

    @Test
    void refusesUnknownTargetsTooLongTextAndAMissingText() {
        start();
        assertThat(bot.send("alice", "!announce irc:#ops hi"))
                .containsExactly("no connector \"irc\"; connectors: chat");
        assertThat(bot.send("alice", "!announce Engineering > buildbot down at 14:00")).containsExactly(
                "Zulip targets need a Zulip connector; connectors: chat");
        assertThat(bot.send("alice", "!announce \"Engineering > buildbot\" down")).containsExactly(
                "Zulip targets need a Zulip connector; connectors: chat");
        assertThat(bot.send("alice", "!announce #ops " + "x".repeat(401))).containsExactly(
                "an announcement is at most 400 characters, not 401");
        assertThat(bot.send("alice", "!announce Engineering > buildbot")).singleElement().asString()
                .startsWith("usage: !announce");
        assertThat(bot.send("alice", "!announce #ops")).singleElement().asString().contains("announce");
        assertThat(bot.chat().sent()).allMatch(s -> s.to().room().equals(TestBot.ROOM));
    }

    @Test
    void aRunbookStepAnnouncesWithItsPlaceholdersBound() throws IOException {
        Files.writeString(dir.resolve("notify.yml"), String.join("\n",
                "name: notify",
                "role: anyone",
                "description: tell the ops room",
                "params:",
                "  what: { type: string, default: reconfig }",
                "steps:",
                "  - name: tell ops",
                "    announce: { to: \"chat:#ops\", text: \"{{what}} done (operation {{operation}})\" }",
                ""));
        LateAnnouncer announcer = new LateAnnouncer();
        AnnounceExecutor executor = new AnnounceExecutor(announcer);
        List<Runbook> runbooks = RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, List.of(executor),
                Inventory.EMPTY);
        bot = TestBot.builder().commands(r -> RunbookCommands.register(r, runbooks)).executor(executor).build();
        announcer.bind(bot.api().announcer());
        List<String> lines = new ArrayList<>(bot.send("alice", "!run notify --what deploy"));
        if (lines.stream().noneMatch(l -> l.contains("succeeded"))) {
            lines.addAll(bot.awaitLine("succeeded", WAIT));
        }
        assertThat(lines).contains("deploy done (operation 1)");
        assertThat(bot.chat().sent()).extracting(FakeConnector.Sent::to, FakeConnector.Sent::text)
                .contains(tuple(ChatAddress.of("chat", "#ops"), "deploy done (operation 1)"));
    }

    @Test
    void aRunbookWithABadAnnounceStepDoesNotLoad() throws IOException {
        Files.writeString(dir.resolve("bad.yml"), String.join("\n",
                "name: bad",
                "role: anyone",
                "description: a bad target",
                "steps:",
                "  - name: tell",
                "    announce: { to: \"two words\" }",
                ""));
        AnnounceExecutor executor = new AnnounceExecutor(new LateAnnouncer());
        assertThatThrownBy(() -> RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, List.of(executor),
                Inventory.EMPTY)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not an announcement target: \"two words\"")
                .hasMessageContaining("an announce step needs text");
    }
}
