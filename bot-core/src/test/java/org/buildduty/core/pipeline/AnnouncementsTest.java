package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.UnknownTargetException;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.AnnounceTarget;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

class AnnouncementsTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeConnector console = new FakeConnector("console", Capabilities.terminal(), ticker);
    private final FakeConnector irc = FakeConnector.ircLike("irc", ticker).takes(AnnouncementsTest::channel);
    private Engine engine;

    static boolean channel(ChatAddress to) {
        return to.thread() == null && to.room().startsWith("#");
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private Engine engine(FakeConnector... connectors) {
        EngineBuilder b = Engine.builder().registry(new CommandRegistry())
                .authorizer(new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of()), true))
                .journal(new InMemoryJournal()).ticker(ticker).redactor(new Redactor(List.of("hunter22")))
                .runner(Runner.builder().ticker(ticker).timerPeriod(Duration.ZERO).closeGrace(Duration.ofSeconds(1))
                        .build());
        for (FakeConnector c : connectors) {
            b.connector(c);
        }
        engine = b.build();
        return engine;
    }

    @Test
    void aConnectorIdChoosesTheConnector() {
        Announcer e = engine(console, irc).api().announcer();
        assertThat(e.resolve("irc:#releng", "console")).isEqualTo(ChatAddress.of("irc", "#releng"));
        assertThat(e.resolve("console:anything", "irc")).isEqualTo(ChatAddress.of("console", "anything"));
        assertThatThrownBy(() -> e.resolve("slack:#releng", "irc")).isInstanceOf(UnknownTargetException.class)
                .hasMessage("no connector \"slack\"; connectors: console, irc");
        assertThatThrownBy(() -> e.resolve("irc:releng", "irc"))
                .hasMessage("connector irc cannot post to \"releng\"; connectors: console, irc");
    }

    @Test
    void withoutAnIdTheOriginComesFirstThenTheOnlyChatThatCan() {
        Announcer e = engine(console, irc).api().announcer();
        assertThat(e.resolve("#ops", "irc")).isEqualTo(ChatAddress.of("irc", "#ops"));
        assertThat(e.resolve("#ops", "console")).isEqualTo(ChatAddress.of("console", "#ops"));
        assertThat(e.resolve("#ops", null)).as("the terminal is the last resort").isEqualTo(
                ChatAddress.of("irc", "#ops"));
        assertThat(e.resolve("ops", "irc")).as("only the terminal takes a bare name").isEqualTo(
                ChatAddress.of("console", "ops"));
    }

    @Test
    void twoChatsThatCanAreAmbiguous() {
        FakeConnector oftc = FakeConnector.ircLike("oftc", ticker).takes(AnnouncementsTest::channel);
        Announcer e = engine(console, irc, oftc).api().announcer();
        assertThat(e.resolve("#ops", "console")).isEqualTo(ChatAddress.of("console", "#ops"));
        assertThat(e.resolve("#ops", "oftc")).isEqualTo(ChatAddress.of("oftc", "#ops"));
        assertThatThrownBy(() -> e.resolve("#ops", null)).isInstanceOf(UnknownTargetException.class)
                .hasMessage("\"#ops\" could be on irc or oftc; write irc:#ops or oftc:#ops");
    }

    @Test
    void noConnectorThatCanIsOneLineListingThem() {
        Announcer e = engine(irc).api().announcer();
        assertThatThrownBy(() -> e.resolve("releng", null))
                .hasMessage("no connector can post to \"releng\"; connectors: irc");
    }

    @Test
    void streamAndTopicNeedAZulipConnector() {
        Announcer e = engine(console, irc).api().announcer();
        assertThatThrownBy(() -> e.resolve("Engineering > buildbot", "irc")).isInstanceOf(UnknownTargetException.class)
                .hasMessage("Zulip targets need a Zulip connector; connectors: console, irc");
        assertThatThrownBy(() -> e.resolve("irc:Engineering > buildbot", "irc")).hasMessage(
                "connector irc cannot post to \"Engineering > buildbot\" (Zulip targets need a Zulip connector); "
                        + "connectors: console, irc");
        engine.close();
        FakeConnector zulip = new FakeConnector("zulip", Capabilities.terminal(), ticker)
                .takes(to -> to.thread() != null);
        Announcer z = engine(irc, zulip).api().announcer();
        assertThat(z.resolve("Engineering > buildbot", "irc")).isEqualTo(
                new ChatAddress("zulip", "Engineering", "buildbot"));
    }

    @Test
    void announcingSendsOneRedactedLineToTheRoom() {
        Announcer e = engine(console, irc).api().announcer();
        e.announce(ChatAddress.of("irc", "#ops"), "deploy done\nkey hunter22 rotated");
        assertThat(irc.sent()).extracting(FakeConnector.Sent::to, FakeConnector.Sent::text)
                .containsExactly(tuple(ChatAddress.of("irc", "#ops"),
                        "deploy done key *** rotated"));
        assertThat(console.sent()).isEmpty();
    }

    @Test
    void announcingRefusesBlankLongTextAndUnknownConnectors() {
        Announcer e = engine(irc).api().announcer();
        ChatAddress ops = ChatAddress.of("irc", "#ops");
        assertThatThrownBy(() -> e.announce(ops, "  ")).isInstanceOf(InvalidValueException.class)
                .hasMessage("an announcement is 1 to 400 characters, not 0");
        assertThatThrownBy(() -> e.announce(ops, "x".repeat(401))).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> e.announce(ChatAddress.of("matrix", "#a:b"), "hi"))
                .isInstanceOf(UnknownTargetException.class).hasMessage("no connector \"matrix\"; connectors: irc");
        assertThat(irc.sent()).isEmpty();
    }

    @Test
    void targetSyntax() {
        assertThat(AnnounceTarget.parse(" #releng ")).isEqualTo(new AnnounceTarget(null, "#releng", null));
        assertThat(AnnounceTarget.parse("#alias:example.org")).isEqualTo(
                new AnnounceTarget(null, "#alias:example.org", null));
        assertThat(AnnounceTarget.parse("matrix:!abc:example.org")).isEqualTo(
                new AnnounceTarget("matrix", "!abc:example.org", null));
        assertThat(AnnounceTarget.parse("zulip:Engineering team > build bot")).isEqualTo(
                new AnnounceTarget("zulip", "Engineering team", "build bot"));
        for (String bad : List.of("", "irc:", "two words", "a > ", " > b", "a > b > c", "#x\u0007")) {
            assertThatThrownBy(() -> AnnounceTarget.parse(bad)).as(bad).isInstanceOf(UnknownTargetException.class);
        }
        assertThatThrownBy(() -> AnnounceTarget.parse("x".repeat(201))).isInstanceOf(UnknownTargetException.class);
    }
}
