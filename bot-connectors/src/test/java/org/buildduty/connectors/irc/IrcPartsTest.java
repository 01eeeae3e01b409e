package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.testing.FakeTicker;

/** The pure parts of the IRC connector: line parsing, the account cache, pacing and backoff. */
class IrcPartsTest {

    @Test
    void parsesTagsSourceCommandAndTrailing() {
        IrcLine l = IrcLine.parse("@account=alice;time=2026-01-01T00:00:00Z;x=a\\sb\\:c :al!~a@host PRIVMSG #t :hi :)");
        assertThat(l.tag("account")).isEqualTo("alice");
        assertThat(l.tag("x")).isEqualTo("a b;c");
        assertThat(l.tag("missing")).isNull();
        assertThat(l.nick()).isEqualTo("al");
        assertThat(l.user()).isEqualTo("~a");
        assertThat(l.host()).isEqualTo("host");
        assertThat(l.command()).isEqualTo("PRIVMSG");
        assertThat(l.params()).containsExactly("#t", "hi :)");
    }

    @Test
    void parsesLinesWithoutSourceOrTrailing() {
        IrcLine ping = IrcLine.parse("PING :irc.test");
        assertThat(ping.source()).isEmpty();
        assertThat(ping.command()).isEqualTo("PING");
        assertThat(ping.last()).isEqualTo("irc.test");
        IrcLine join = IrcLine.parse(":bob!b@h JOIN #t bob :Real Name");
        assertThat(join.params()).containsExactly("#t", "bob", "Real Name");
        IrcLine auth = IrcLine.parse("AUTHENTICATE :+");
        assertThat(auth.params()).containsExactly("+");
        assertThat(IrcLine.parse(":irc.test 354 me 471 alice 0").params()).containsExactly("me", "471", "alice", "0");
        assertThat(IrcLine.parse("").command()).isEmpty();
    }

    @Test
    void foldsNicksByRfc1459() {
        assertThat(IrcLine.fold("Bot[A]\\~")).isEqualTo(IrcLine.fold("bot{a}|^"));
    }

    @Test
    void accountCacheForgetsOnEveryChangeAndCountsOnlyForTheSameUserAtHost() {
        AccountTracker t = new AccountTracker();
        t.set("Alice", "alice", "a@h");
        assertThat(t.knows("alice", "a@h")).isTrue();
        assertThat(t.knows("alice", "a@other")).isFalse();
        assertThat(t.knows("alice", "x@h")).isFalse();
        assertThat(t.account("ALICE")).contains("alice");
        t.set("carol", "*", "c@h");
        assertThat(t.knows("carol", "c@h")).isTrue();
        assertThat(t.account("carol")).isEmpty();
        t.set("dave", "0", "d@h");
        assertThat(t.account("dave")).isEmpty();
        t.renamed("alice", "carol");
        assertThat(t.knows("alice", "a@h")).isFalse();
        assertThat(t.knows("carol", "c@h")).isFalse();
        t.set("x", "acct", "x@h");
        t.forget("x");
        assertThat(t.knows("x", "x@h")).isFalse();
        t.set("y", "acct", "y@h");
        t.retain(n -> !n.equals("y"));
        assertThat(t.knows("y", "y@h")).isFalse();
        assertThat(t.knows("dave", "d@h")).isTrue();
        t.clear();
        assertThat(t.size()).isZero();
    }

    @Test
    void pacerSendsCommandsFirstThenMessagesAtTheBucketPace() {
        FakeTicker ticker = new FakeTicker();
        OutputPacer p = new OutputPacer(ticker, 3, Duration.ofSeconds(1), 100);
        RecordingSink sink = new RecordingSink();
        p.send("#t", List.of("a", "b", "c", "d"), null, Duration.ZERO);
        p.command("JOIN #t");
        assertThat(p.pump(sink, Duration.ofMillis(250))).isEqualTo(Duration.ofMillis(250));
        assertThat(sink.lines).isEmpty();
        sink.registered = true;
        assertThat(p.pump(sink, Duration.ofMillis(250))).isEqualTo(Duration.ofMillis(250));
        assertThat(sink.lines).containsExactly("JOIN #t");
        sink.ready = true;
        assertThat(p.pump(sink, Duration.ofMillis(250))).isEqualTo(Duration.ofSeconds(1));
        assertThat(sink.lines).containsExactly("JOIN #t", "PRIVMSG #t :a", "PRIVMSG #t :b");
        ticker.advance(Duration.ofSeconds(1));
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sink.lines).hasSize(4).last().isEqualTo("PRIVMSG #t :c");
        ticker.advance(Duration.ofSeconds(1));
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sink.lines).last().isEqualTo("PRIVMSG #t :d");
        assertThat(p.sent()).isEqualTo(4);
    }

    @Test
    void pacerKeepsMessagesWhileTheSinkRefusesAndDropsTheOldestPastItsLimit() {
        FakeTicker ticker = new FakeTicker();
        OutputPacer p = new OutputPacer(ticker, 10, Duration.ofMillis(100), 3);
        RecordingSink sink = new RecordingSink();
        sink.registered = true;
        sink.ready = true;
        sink.refuse = true;
        p.send("#t", List.of("1", "2"), null, Duration.ZERO);
        p.pump(sink, Duration.ofMillis(250));
        assertThat(p.queued()).isEqualTo(2);
        assertThat(p.send("#t", List.of("3", "4", "5"), null, Duration.ZERO)).isEqualTo(2);
        assertThat(p.dropped()).isEqualTo(2);
        sink.refuse = false;
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sink.lines).containsExactly("PRIVMSG #t :3", "PRIVMSG #t :4", "PRIVMSG #t :5");
        p.send("#t", List.of("6"), null, Duration.ZERO);
        p.command("WHO x");
        p.newConnection();
        assertThat(p.dropAll()).isEqualTo(1);
        assertThat(p.dropped()).isEqualTo(3);
    }

    @Test
    void pacerCountsLinesSentAndHowLongTheBucketHeldEachBack() {
        FakeTicker ticker = new FakeTicker();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutputPacer p = new OutputPacer(ticker, 2, Duration.ofSeconds(1), 100);
        p.useMeters(new BotMetrics(registry).connector("libera"));
        RecordingSink sink = new RecordingSink();
        sink.registered = true;
        sink.ready = true;
        p.send("#t", List.of("a", "b", "c", "d"), null, Duration.ZERO);
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sent(registry)).isEqualTo(2);
        assertThat(waits(registry).count()).isZero();
        ticker.advance(Duration.ofMillis(400));
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sent(registry)).as("no token yet").isEqualTo(2);
        ticker.advance(Duration.ofMillis(600));
        p.pump(sink, Duration.ofMillis(250));
        p.send("#t", List.of("e"), null, Duration.ZERO);
        ticker.advance(Duration.ofMillis(500));
        p.pump(sink, Duration.ofMillis(250));
        ticker.advance(Duration.ofMillis(500));
        p.pump(sink, Duration.ofMillis(250));
        ticker.advance(Duration.ofSeconds(1));
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sink.lines).hasSize(5);
        assertThat(sent(registry)).isEqualTo(5);
        Timer w = waits(registry);
        assertThat(w.count()).as("c, d and e waited for the bucket").isEqualTo(3);
        // c: 1 s, d: 2 s (both held from the first pump), e: queued 1 s in, sent 3 s in
        assertThat(w.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1000 + 2000 + 2000);
        assertThat(w.max(TimeUnit.MILLISECONDS)).isEqualTo(2000);

        ticker.advance(Duration.ofMinutes(1));
        p.send("#t", List.of("f", "g"), null, Duration.ZERO);
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sent(registry)).isEqualTo(7);
        assertThat(waits(registry).count()).as("a burst within the bucket waits for nothing").isEqualTo(3);
    }

    @Test
    void timeTheConnectionWasDownIsNotARateLimitWait() {
        FakeTicker ticker = new FakeTicker();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutputPacer p = new OutputPacer(ticker, 1, Duration.ofSeconds(1), 100);
        p.useMeters(new BotMetrics(registry).connector("libera"));
        RecordingSink sink = new RecordingSink();
        sink.registered = true;
        sink.ready = true;
        p.send("#t", List.of("a", "b"), null, Duration.ZERO);
        p.pump(sink, Duration.ofMillis(250));
        sink.ready = false;
        sink.registered = false;
        ticker.advance(Duration.ofSeconds(1));
        p.pump(sink, Duration.ofMillis(250));
        ticker.advance(Duration.ofMinutes(5));
        p.newConnection();
        sink.registered = true;
        sink.ready = true;
        p.pump(sink, Duration.ofMillis(250));
        assertThat(sink.lines).containsExactly("PRIVMSG #t :a", "PRIVMSG #t :b");
        assertThat(sent(registry)).isEqualTo(2);
        assertThat(waits(registry).count()).isZero();
    }

    private static double sent(SimpleMeterRegistry registry) {
        return registry.get("buildduty.messages.sent").tag("connector", "libera").counter().count();
    }

    private static Timer waits(SimpleMeterRegistry registry) {
        return registry.get("buildduty.ratelimit.waits").tag("connector", "libera").timer();
    }

    @Test
    void aLineQueuedBetweenPumpAndAwaitDoesNotWaitForTheIdleTimeout() throws InterruptedException {
        OutputPacer p = new OutputPacer(new FakeTicker(), 4, Duration.ofSeconds(1), 100);
        RecordingSink sink = new RecordingSink();
        sink.registered = true;
        sink.ready = true;
        p.pump(sink, Duration.ofSeconds(10));
        p.send("#t", List.of("queued after the pump, before the wait"), null, Duration.ZERO);
        long t0 = System.nanoTime();
        p.await(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        p.pump(sink, Duration.ofSeconds(10));
        assertThat(sink.lines).containsExactly("PRIVMSG #t :queued after the pump, before the wait");
        t0 = System.nanoTime();
        p.await(Duration.ofMillis(50));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
    }

    @Test
    void aLineTheBucketAllowsGoesOutOnTheSendersThreadAndWakesNoPacer() throws InterruptedException {
        OutputPacer p = new OutputPacer(new FakeTicker(), 1, Duration.ofSeconds(1), 100);
        RecordingSink sink = new RecordingSink();
        sink.registered = true;
        sink.ready = true;
        p.send("#t", List.of("answer"), sink, Duration.ofSeconds(10));
        assertThat(sink.lines).containsExactly("PRIVMSG #t :answer");
        long t0 = System.nanoTime();
        p.await(Duration.ofMillis(50));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(40));

        // the burst is spent: the line waits, and the pacer thread is woken to send it when it is due
        p.send("#t", List.of("held back"), sink, Duration.ofSeconds(10));
        assertThat(sink.lines).hasSize(1);
        t0 = System.nanoTime();
        p.await(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(p.queued()).isEqualTo(1);
    }

    @Test
    void withoutAConnectionALineWaitsAndWakesThePacer() throws InterruptedException {
        OutputPacer p = new OutputPacer(new FakeTicker(), 4, Duration.ofSeconds(1), 100);
        p.send("#t", List.of("queued"), null, Duration.ofSeconds(10));
        long t0 = System.nanoTime();
        p.await(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(p.queued()).isEqualTo(1);
    }

    @Test
    void aPrivateMessageBecomesAChatMessageAndNeverReachesPircBotX() {
        List<ChatMessage> got = new ArrayList<>();
        IrcConfig cfg = IrcConfig.builder("libera", "127.0.0.1", 6667).nick("bot").build();
        FakeTicker ticker = new FakeTicker();
        IrcSession session = new IrcSession(cfg, ticker, new OutputPacer(ticker, 4, Duration.ofSeconds(1), 100),
                new IrcSession.Owner() {
                    @Override
                    public void message(ChatMessage m) {
                        got.add(m);
                    }

                    @Override
                    public void ready(IrcSession s, String detail) {
                    }
                });
        assertThat(session.onLine(null, ":irc.test CAP bot ACK :account-tag")).isFalse();
        // true: PircBotX does not see the line (it would only build events and users nobody reads)
        assertThat(session.onLine(null, "@account=alice :alice!a@h PRIVMSG bot :!whoami")).isTrue();
        assertThat(got).singleElement().satisfies(m -> {
            assertThat(m.sender().toString()).isEqualTo("libera:alice");
            assertThat(m.text()).isEqualTo("!whoami");
        });
    }

    @Test
    void aMessageIsDeliveredWithoutTheSessionsLockSoItsAnswerNeverWaitsForThePacersTick() {
        List<Boolean> lockHeld = new ArrayList<>();
        IrcConfig cfg = IrcConfig.builder("libera", "127.0.0.1", 6667).nick("bot").build();
        FakeTicker ticker = new FakeTicker();
        AtomicReference<IrcSession> self = new AtomicReference<>();
        IrcSession session = new IrcSession(cfg, ticker, new OutputPacer(ticker, 4, Duration.ofSeconds(1), 100),
                new IrcSession.Owner() {
                    @Override
                    public void message(ChatMessage m) {
                        // the engine answers on this thread, and the pacer thread holds this lock in tick()
                        lockHeld.add(Thread.holdsLock(self.get()));
                    }

                    @Override
                    public void ready(IrcSession s, String detail) {
                    }
                });
        self.set(session);
        session.onLine(null, ":irc.test CAP bot ACK :account-tag");
        session.onLine(null, "@account=alice :alice!a@h PRIVMSG bot :!whoami");

        assertThat(lockHeld).containsExactly(false);
    }

    @Test
    void alternateNicksAndTheUnidentifiedPrincipal() {
        assertThat(IrcSession.alternateNick("bot", 1)).isEqualTo("bot_");
        assertThat(IrcSession.alternateNick("bot", 2)).isEqualTo("bot__");
        assertThat(IrcSession.alternateNick("bot", 3)).matches("bot\\d{1,3}");
        assertThat(Senders.unidentified("alice")).isEqualTo("?alice");
        assertThat(PircBotXGlue.login("build-duty_bot")).isEqualTo("builddutyb");
    }

    static final class RecordingSink implements OutputPacer.Sink {
        final List<String> lines = new ArrayList<>();
        boolean registered;
        boolean ready;
        boolean refuse;

        @Override
        public boolean send(String rawLine) {
            if (refuse) {
                return false;
            }
            lines.add(rawLine);
            return true;
        }

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public boolean registered() {
            return registered;
        }
    }
    @Test
    void rejoinDelaysDoubleOnKicksInARowUpToTheCapAndStartOverOnceSettled() {
        FakeTicker t = new FakeTicker();
        Rejoins r = new Rejoins(Duration.ofSeconds(10));
        assertThat(r.left("#Ops", "JOIN #ops key", t.now())).isEqualTo(Duration.ofSeconds(10));
        assertThat(r.rejoining("#ops")).isTrue();
        t.advance(Duration.ofSeconds(9));
        assertThat(r.due(t.now())).isEmpty();
        t.advance(Duration.ofSeconds(1));
        assertThat(r.due(t.now())).containsExactly("JOIN #ops key");
        assertThat(r.due(t.now())).isEmpty();
        r.joined("#ops", t.now());
        assertThat(r.rejoining("#ops")).isFalse();

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            delays.add(r.left("#ops", "JOIN #ops key", t.now()));
            r.joined("#ops", t.now());
        }
        assertThat(delays).containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(80),
                Duration.ofSeconds(160), Rejoins.MAX, Rejoins.MAX, Rejoins.MAX);

        t.advance(Rejoins.SETTLED);
        assertThat(r.left("#ops", "JOIN #ops key", t.now())).isEqualTo(Duration.ofSeconds(10));
    }
}
