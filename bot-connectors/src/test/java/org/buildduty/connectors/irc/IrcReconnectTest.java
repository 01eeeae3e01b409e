package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.connectors.irc.IrcTesting.config;
import static org.buildduty.connectors.irc.IrcTesting.started;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.ServerFixture;

/** Losing the server: reconnect, rejoin, queued output sent or counted; and nick collisions. */
class IrcReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("botacct", "botpw12345"));

    @Test
    void restartOfTheServerDuringAStreamOfSends() throws Exception {
        RecordingListener events = new RecordingListener();
        CountDownLatch releaseReconnect = new CountDownLatch(1);
        AtomicInteger sleeps = new AtomicInteger();
        Sleeper sleeper = (d, wake) -> {
            if (sleeps.incrementAndGet() == 1) {
                releaseReconnect.await(30, TimeUnit.SECONDS);
            } else {
                Thread.sleep(Math.min(d.toMillis(), 200));
            }
            return true;
        };
        IrcConfig cfg = config("bdre", NET.get().floodPort(), "#re").queueLimit(5).build();
        ChatAddress room = ChatAddress.of("irc", "#re");
        try (IrcConnector bot = new IrcConnector(cfg, Ticker.system(), sleeper, () -> 0.5)) {
            bot.start(events);
            try (RawIrcClient w = RawIrcClient.connect(NET.get().port(), "rewatch")) {
                bot.awaitConnected(WAIT);
                w.join("#re");
                for (int i = 1; i <= 3; i++) {
                    bot.send(room, "before " + i);
                }
                w.await(l -> l.endsWith("PRIVMSG #re :before 3"), WAIT);

                NET.get().stopIrcd();
                ConnectionChanged lost = events.state(ConnectionChanged.State.RECONNECTING);
                assertThat(lost.detail()).contains("reconnecting in");
                assertThat(bot.healthy()).isTrue();
                for (int i = 1; i <= 7; i++) {
                    bot.send(room, "during " + i);
                }
            }
            NET.get().startIrcdAgain();
            try (RawIrcClient w = RawIrcClient.connect(NET.get().port(), "rewatch")) {
                w.join("#re");
                releaseReconnect.countDown();
                for (int i = 3; i <= 7; i++) {
                    String n = Integer.toString(i);
                    w.await(l -> l.endsWith("PRIVMSG #re :during " + n), WAIT);
                }
                assertThat(w.lines()).noneMatch(l -> l.endsWith(":during 1") || l.endsWith(":during 2"));
                bot.send(room, "after");
                w.await(l -> l.endsWith("PRIVMSG #re :after"), WAIT);
                assertThat(events.states()).containsSubsequence(ConnectionChanged.State.CONNECTED,
                        ConnectionChanged.State.RECONNECTING, ConnectionChanged.State.CONNECTED);
                ConnectionChanged back = (ConnectionChanged) events.all.get(events.all.size() - 1);
                assertThat(back.state()).isEqualTo(ConnectionChanged.State.CONNECTED);
                assertThat(back.detail()).contains("2 queued lines were dropped while disconnected");
                assertThat(bot.droppedLines()).isEqualTo(2);
            }
        }
    }

    @Test
    void nickCollisionUsesAnAlternateThenTakesTheNickBack() throws Exception {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = config("bdnick", NET.get().port(), "#nick")
                .regainInterval(Duration.ofSeconds(1)).build();
        try (IrcConnector bot = new IrcConnector(cfg, Ticker.system())) {
            try (RawIrcClient holder = RawIrcClient.connect(NET.get().port(), "bdnick")) {
                bot.start(events);
                bot.awaitConnected(WAIT);
                assertThat(bot.currentNick()).isEqualTo("bdnick_");
                assertThat(holder.nick()).isEqualTo("bdnick");
            }
            long end = System.nanoTime() + WAIT.toNanos();
            while (!bot.currentNick().equals("bdnick") && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(bot.currentNick()).isEqualTo("bdnick");
            try (RawIrcClient w = RawIrcClient.connect(NET.get().port(), "nwatch")) {
                w.join("#nick");
                bot.send(ChatAddress.of("irc", "#nick"), "back as myself");
                String line = w.await(l -> l.endsWith("PRIVMSG #nick :back as myself"), WAIT);
                assertThat(RawIrcClient.stripTags(line)).startsWith(":bdnick!");
            }
        }
    }
    @Test
    void kickedFromAConfiguredChannelTheBotJoinsAgainAfterABackedOffDelay() throws Exception {
        IrcConfig cfg = config("bdkick", NET.get().port(), "#kick").rejoinDelay(Duration.ofMillis(300))
                .build();
        try (RawIrcClient op = RawIrcClient.connect(NET.get().port(), "kickop")) {
            op.join("#kick");
            try (IrcConnector bot = started(cfg, new RecordingListener())) {
                bot.awaitConnected(WAIT);
                op.await(l -> RawIrcClient.stripTags(l).startsWith(":bdkick!") && l.contains(" JOIN "), WAIT);

                long kicked = System.nanoTime();
                op.send("KICK #kick bdkick :go away");
                op.await(l -> RawIrcClient.stripTags(l).startsWith(":bdkick!") && l.contains(" JOIN "), WAIT);
                long firstBack = System.nanoTime() - kicked;
                assertThat(Duration.ofNanos(firstBack)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

                kicked = System.nanoTime();
                op.send("KICK #kick bdkick :again");
                op.await(l -> RawIrcClient.stripTags(l).startsWith(":bdkick!") && l.contains(" JOIN "), WAIT);
                assertThat(Duration.ofNanos(System.nanoTime() - kicked)).isGreaterThanOrEqualTo(Duration.ofMillis(600));

                bot.send(ChatAddress.of("irc", "#kick"), "back in");
                op.await(l -> l.endsWith("PRIVMSG #kick :back in"), WAIT);
            }
        }
    }
}
