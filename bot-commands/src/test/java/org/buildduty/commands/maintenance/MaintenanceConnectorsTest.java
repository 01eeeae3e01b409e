package org.buildduty.commands.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

/** Maintenance notices on two chats at once: an IRC-like one and a Zulip-like one with stream > topic targets. */
class MaintenanceConnectorsTest {
    private static final ChatAddress IRC_RELENG = ChatAddress.of("irc", "#releng");
    private static final ChatAddress ZULIP_TOPIC = new ChatAddress("zulip", "Engineering", "buildbot");

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private FakeConnector irc;
    private FakeConnector zulip;
    private MaintenanceSchedule schedule;
    private Engine engine;

    @BeforeEach
    void start() {
        irc = FakeConnector.ircLike("irc", ticker).takes(a -> a.thread() == null && a.room().startsWith("#"));
        zulip = new FakeConnector("zulip", new Capabilities(true, true, 10_000, 20, Duration.ofMillis(100), false),
                ticker).takes(a -> a.thread() != null);
        schedule = new MaintenanceSchedule();
        CommandRegistry registry = new CommandRegistry();
        MaintenanceCommands.register(registry, schedule);
        Runner runner = Runner.builder().ticker(ticker).timerPeriod(Duration.ZERO)
                .closeGrace(Duration.ofSeconds(2)).build();
        engine = Engine.builder().connector(irc).connector(zulip).registry(registry)
                .authorizer(new Authorizer(new RoleResolver(Map.of("releng", List.of("irc:alice")), Set.of(),
                        Set.of()), true))
                .journal(journal).runner(runner).ticker(ticker).service(schedule).build();
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private void say(String text) throws InterruptedException {
        engine.handle(irc.message("alice", "#releng", text));
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    private void advance(Duration d) throws InterruptedException {
        ticker.advance(d);
        schedule.tick();
        engine.tick();
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    private static List<String> texts(FakeConnector c, ChatAddress to) {
        return c.sent().stream().filter(s -> s.to().equals(to)).map(FakeConnector.Sent::text).toList();
    }

    @Test
    void everyNoticeGoesToATargetOnEachConnector() throws InterruptedException {
        say("!maintenance buildbot upgrade --at +1h --duration 30m --notify #releng Engineering > buildbot");
        advance(Duration.ofMinutes(45));
        advance(Duration.ofMinutes(15));
        advance(Duration.ofMinutes(30));
        List<String> expected = List.of(
                "Maintenance 1: buildbot upgrade, 11:00–11:30 UTC (in 1h), by alice",
                "Maintenance 1 starts in 15m (11:00–11:30 UTC): buildbot upgrade",
                "Maintenance 1 starting now: buildbot upgrade, until 11:30 UTC",
                "Maintenance 1 is over: buildbot upgrade (11:00–11:30 UTC)");
        assertThat(texts(zulip, ZULIP_TOPIC)).isEqualTo(expected);
        assertThat(texts(irc, IRC_RELENG)).containsAll(expected).hasSize(5)
                .anyMatch(t -> t.startsWith("scheduled maintenance 1:")
                        && t.endsWith("notifying irc:#releng, zulip:Engineering > buildbot; cancel with "
                        + "!maintenance cancel 1"));
    }

    @Test
    void aTargetNoConnectorTakesRefusesTheWholeRequest() throws InterruptedException {
        say("!maintenance buildbot upgrade --at +1h --duration 30m --notify \"Engineering > buildbot\" releng");
        assertThat(zulip.sent()).isEmpty();
        assertThat(texts(irc, IRC_RELENG)).containsExactly("no connector can post to \"releng\"; connectors: irc, "
                + "zulip");
        assertThat(journal.states(MaintenanceSchedule.KIND)).isEmpty();
    }
}
