package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.connectors.irc.IrcTesting.config;
import static org.buildduty.connectors.irc.IrcTesting.started;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.progress.RoomPublisher;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.ServerFixture;

/**
 * Flood safety on the Libera-like port (burst 5, then 2 lines/s, 8 KiB receive queue): the same burst that gets a
 * raw client killed goes through the connector's pacer intact, and 1,000 progress updates through the room
 * publisher never get the bot disconnected. The connector's meters count the lines written and the pacer's waits.
 */
class IrcFloodTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int LINES = 24;
    private static final String LONG = "x".repeat(370);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("botacct", "botpw12345"));

    @Test
    void anUnpacedBurstIsKilledByTheServer() throws Exception {
        try (RawIrcClient c = RawIrcClient.connect(NET.get().floodPort(), "flooder")) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < LINES; i++) {
                burst.append("PRIVMSG flooder :").append(i).append(' ').append(LONG).append("\r\n");
            }
            c.send(burst.substring(0, burst.length() - 2));
            c.await(l -> l.startsWith("ERROR") && l.contains("RecvQ exceeded"), WAIT);
        }
    }

    @Test
    void theSameBurstThroughTheConnectorArrivesWhole() throws Exception {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = config("bdflood", NET.get().floodPort(), "#flood").build();
        try (IrcConnector bot = started(cfg, events)) {
            var watcher = CompletableFuture.supplyAsync(
                    () -> RawIrcClient.connectUnchecked(NET.get().port(), "fwatch", null, null));
            bot.awaitConnected(WAIT);
            try (RawIrcClient w = watcher.join()) {
                w.join("#flood");
                for (int i = 0; i < LINES; i++) {
                    bot.send(ChatAddress.of("irc", "#flood"), i + " " + LONG);
                }
                for (int i = 0; i < LINES; i++) {
                    String n = Integer.toString(i);
                    w.await(l -> l.endsWith("PRIVMSG #flood :" + n + " " + LONG), WAIT);
                }
                assertThat(bot.connected()).isTrue();
                assertThat(events.states()).containsExactly(ConnectionChanged.State.CONNECTED);
                assertThat(bot.sentLines()).isEqualTo(LINES);
            }
        }
    }

    @Test
    void metersCountEachLineWrittenAndEachLineThePacerHeldBack() throws Exception {
        RecordingListener events = new RecordingListener();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IrcConfig cfg = config("bdmeter", NET.get().floodPort(), "#meter")
                .pacing(3, Duration.ofMillis(300)).build();
        try (IrcConnector bot = new IrcConnector(cfg, Ticker.system())) {
            bot.useMeters(new BotMetrics(registry).connector("libera"));
            bot.start(events);
            var watcher = CompletableFuture.supplyAsync(
                    () -> RawIrcClient.connectUnchecked(NET.get().port(), "mwatch", null, null));
            bot.awaitConnected(WAIT);
            try (RawIrcClient w = watcher.join()) {
                w.join("#meter");
                ChatAddress room = ChatAddress.of("irc", "#meter");
                bot.send(room, "first line\n" + "y".repeat(1200) + "END");
                w.await(l -> l.endsWith("yEND"), WAIT);
                long longLines = linesFromBot(w, "#meter");
                assertThat(longLines).as("a first line and the long one split by bytes").isGreaterThanOrEqualTo(4);
                assertThat(bot.sentLines()).isEqualTo(longLines);
                assertThat(sent(registry)).isEqualTo(longLines);

                long waitsBefore = waits(registry).count();
                for (int i = 0; i < 6; i++) {
                    bot.send(room, "burst " + i);
                }
                w.await(l -> l.endsWith("PRIVMSG #meter :burst 5"), WAIT);
                assertThat(sent(registry)).isEqualTo(longLines + 6);
                Timer waits = waits(registry);
                assertThat(waits.count() - waitsBefore).as("at most 3 of 6 lines fit the bucket")
                        .isBetween(3L, 6L);
                // the sixth line needs three tokens more than even a full bucket has: at least 900 ms
                assertThat(waits.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(800);
                assertThat(events.states()).containsExactly(ConnectionChanged.State.CONNECTED);
            }
        }
    }

    private static long linesFromBot(RawIrcClient w, String channel) {
        return w.lines().stream().filter(l -> RawIrcClient.stripTags(l).startsWith(":bdmeter!")
                && l.contains(" PRIVMSG " + channel + " :")).count();
    }

    private static double sent(SimpleMeterRegistry registry) {
        return registry.get("buildduty.messages.sent").tag("connector", "libera").counter().count();
    }

    private static Timer waits(SimpleMeterRegistry registry) {
        return registry.get("buildduty.ratelimit.waits").tag("connector", "libera").timer();
    }

    @Test
    void aThousandProgressUpdatesAreCoalescedAndTheFinalStatusArrives() throws Exception {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = config("bdprog", NET.get().floodPort(), "#prog").build();
        try (IrcConnector bot = started(cfg, events)) {
            var watcher = CompletableFuture.supplyAsync(
                    () -> RawIrcClient.connectUnchecked(NET.get().port(), "pwatch", null, null));
            bot.awaitConnected(WAIT);
            try (RawIrcClient w = watcher.join()) {
                w.join("#prog");
                RoomPublisher room = new RoomPublisher(bot, ChatAddress.of("irc", "#prog"), Ticker.system(),
                        Redactor.NONE, Duration.ofSeconds(2));
                for (int i = 1; i <= 1000; i++) {
                    room.status(17, "reconfig #17 " + i + "/1000 masters");
                    if (i % 100 == 0) {
                        Thread.sleep(20);
                    }
                }
                room.finish(17, "reconfig #17 succeeded: 1000/1000 masters", List.of("log: http://bot/ops/17"));
                long end = System.nanoTime() + WAIT.toNanos();
                while (room.backlog() > 0 && System.nanoTime() < end) {
                    room.drain();
                    Thread.sleep(50);
                }
                w.await(l -> l.endsWith("PRIVMSG #prog :reconfig #17 succeeded: 1000/1000 masters"), WAIT);
                w.await(l -> l.endsWith("PRIVMSG #prog :log: http://bot/ops/17"), WAIT);
                long progressLines = w.lines().stream().filter(l -> l.contains("PRIVMSG #prog :reconfig #17 "))
                        .count();
                assertThat(progressLines).isLessThan(10);
                assertThat(bot.connected()).isTrue();
                assertThat(events.states()).containsExactly(ConnectionChanged.State.CONNECTED);
            }
        }
    }
}
