package org.buildduty.commands.mbs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.commands.testing.FakeMbs;
import org.buildduty.commands.testing.FakeMbs.FakeBuild;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.testing.FakeConnector.Sent;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

class MbsWatchesTest {
    private static final Capabilities THREADS = new Capabilities(false, true, 64 * 1024, Integer.MAX_VALUE,
            Duration.ZERO, false);
    private static final ChatAddress ROOM = ChatAddress.of(TestBot.CHAT, TestBot.ROOM);
    private static final ChatAddress THREAD = ROOM.inThread("mbs #570");

    private final FakeTicker ticker = new FakeTicker();
    private final Instant t0 = ticker.now();
    private final InMemoryJournal journal = new InMemoryJournal();
    /** Polls wait here until the test runs them, so none runs on the engine's timer thread. */
    private final ConcurrentLinkedQueue<Runnable> polls = new ConcurrentLinkedQueue<>();
    private FakeMbs mbs;
    private MbsClient client;
    private MbsWatches watches;
    private TestBot bot;

    @BeforeEach
    void startMbs() throws IOException {
        mbs = FakeMbs.start(ticker, "token");
        client = MbsClient.of(mbs.url(), () -> "token", ticker);
    }

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
        mbs.close();
    }

    private TestBot bot(Capabilities caps) {
        watches = new MbsWatches(client, mbs.url().toString(), MbsWatches.Settings.defaults(), polls::add);
        bot = TestBot.builder().ticker(ticker).journal(journal).capabilities(caps)
                .commands(r -> MbsWatchCommands.register(r, watches)).service(watches).build();
        return bot;
    }

    /** Moves the clock in steps of {@code step} up to {@code t0 + until}, polling as due; returns what was sent. */
    private List<Sent> runUntil(Duration until, Duration step) {
        int before = bot.chat().sent().size();
        while (ticker.now().isBefore(t0.plus(until))) {
            ticker.advance(step);
            watches.tick();
            for (Runnable r = polls.poll(); r != null; r = polls.poll()) {
                r.run();
            }
            bot.settle();
        }
        return bot.chat().sent().subList(before, bot.chat().sent().size());
    }

    private static List<String> texts(List<Sent> sent) {
        return sent.stream().map(Sent::text).toList();
    }

    private List<String> sendFrom(String room, String text) {
        bot.engine().onEvent(bot.chat().message("bob", room, text));
        return bot.settle();
    }

    private FakeBuild steppedBuild() {
        FakeBuild b = mbs.submit("shared-userspace", "f26", "psabata", "a", "b", "c", "d");
        b.at(t0.plusSeconds(90), x -> x.state("build", null).component("a", 0).component("b", 0).component("c", 0)
                .component("d", 0));
        b.at(t0.plusSeconds(130), x -> x.component("a", 1).component("b", 1));
        b.at(t0.plusSeconds(170), x -> x.component("c", 3));
        b.at(t0.plusSeconds(200), x -> x.component("d", 1).state("done", null));
        b.at(t0.plusSeconds(300), x -> x.state("ready", null));
        return b;
    }

    @Test
    void aBuildSteppedToTheEndGetsAThreadOfChangesAndTheOldSummary() {
        bot(THREADS);
        FakeBuild b = steppedBuild();
        assertThat(bot.send("alice", "!mbs watch 570")).containsExactly(
                "mbs #570 shared-userspace-f26 by psabata: wait · 4 undefined", "watching mbs #570 in its thread");
        assertThat(bot.chat().sent().get(0).to()).isEqualTo(THREAD);
        assertThat(journal.states("mbs-watch")).hasSize(1);

        List<Sent> sent = runUntil(Duration.ofSeconds(400), Duration.ofSeconds(10));
        assertThat(sent).allMatch(s -> s.to().equals(THREAD));
        assertThat(texts(sent)).containsExactly(
                "module state: wait → build",
                "2 more COMPLETE: a, b (2/4 built)",
                "c FAILED: https://koji.fedoraproject.org/koji/taskinfo?taskID=" + b.taskId("c")
                        + " (Koji build failed)",
                "1 more COMPLETE: d (4/4 built)",
                "Summary: 3 components in the COMPLETE state, 1 FAILED; psabata's build #570 of "
                        + "shared-userspace-f26 is in the \"done\" state "
                        + "(koji tag: \"module-shared-userspace-f26-20171005113458-00000000\")");
        assertThat(journal.states("mbs-watch")).isEmpty();
        assertThat(watches.polled()).isZero();
        int reads = mbs.reads(570);
        runUntil(Duration.ofSeconds(900), Duration.ofSeconds(30));
        assertThat(mbs.reads(570)).isEqualTo(reads);
    }

    @Test
    void twoRoomsShareOnePollerAndEachGetsItsThread() {
        bot(THREADS);
        steppedBuild();
        bot.send("alice", "!mbs watch 570");
        assertThat(sendFrom("#other", "!mbs watch 570")).contains(
                "mbs #570 shared-userspace-f26 by psabata: wait · 4 undefined");
        assertThat(mbs.reads(570)).isEqualTo(1);
        assertThat(sendFrom("#other", "!mbs watch 570")).containsExactly("already watching mbs #570 here");
        assertThat(watches.polled()).isEqualTo(1);

        List<Sent> sent = runUntil(Duration.ofSeconds(150), Duration.ofSeconds(10));
        assertThat(mbs.reads(570)).isEqualTo(1 + 2);
        ChatAddress other = ChatAddress.of(TestBot.CHAT, "#other").inThread("mbs #570");
        assertThat(sent.stream().filter(s -> s.to().equals(THREAD)).map(Sent::text)).containsExactly(
                "module state: wait → build", "2 more COMPLETE: a, b (2/4 built)");
        assertThat(sent.stream().filter(s -> s.to().equals(other)).map(Sent::text)).containsExactly(
                "module state: wait → build", "2 more COMPLETE: a, b (2/4 built)");
    }

    @Test
    void pollsSlowlyWhileWaitingAndFastWhileBuilding() {
        bot(THREADS);
        FakeBuild b = mbs.submit("m", "s", "o", "a");
        bot.send("alice", "!mbs watch 570");
        runUntil(Duration.ofMinutes(10), Duration.ofSeconds(5));
        assertThat(mbs.reads(570)).isEqualTo(1 + 5);
        b.state("build", null);
        runUntil(Duration.ofMinutes(12), Duration.ofSeconds(5));
        int atBuild = mbs.reads(570);
        runUntil(Duration.ofMinutes(22), Duration.ofSeconds(5));
        assertThat(mbs.reads(570) - atBuild).isEqualTo(20);
    }

    @Test
    void anOutageIsReportedOnceAndTheRecoveryOnceThenTheChanges() {
        bot(THREADS);
        FakeBuild b = mbs.submit("m", "s", "o", "a", "b");
        b.state("build", null).component("a", 0).component("b", 0);
        bot.send("alice", "!mbs watch 570");
        mbs.failNext(3, 500);
        b.at(t0.plusSeconds(100), x -> x.component("a", 1));
        int before = mbs.requests();
        List<String> down = texts(runUntil(Duration.ofSeconds(800), Duration.ofSeconds(10)));
        // 3 failures: polls at 30 s, then after 60 and 120 s of backoff; the poll 240 s later (at 450 s) answers,
        // then every 30 s again up to 800 s.
        assertThat(mbs.requests() - before).isEqualTo(3 + 1 + 11);
        assertThat(down).containsExactly(
                "MBS is not answering (MBS failed (500): The server encountered an internal error and was unable to "
                        + "complete your request.); still watching",
                "MBS answers again",
                "1 more COMPLETE: a (1/2 built)");
    }

    @Test
    void afterARestartWatchesResumeAndPostACatchUp() {
        bot(THREADS);
        FakeBuild b = steppedBuild();
        bot.send("alice", "!mbs watch 570");
        runUntil(Duration.ofSeconds(120), Duration.ofSeconds(10));
        bot.close();
        assertThat(journal.states("mbs-watch")).hasSize(1);

        ticker.advance(Duration.ofSeconds(60));
        bot(THREADS);
        watches.tick();
        polls.poll().run();
        List<Sent> sent = bot.chat().sent();
        assertThat(sent).allMatch(s -> s.to().equals(THREAD));
        assertThat(texts(sent)).containsExactly(
                "while I was away: c FAILED: https://koji.fedoraproject.org/koji/taskinfo?taskID="
                        + b.taskId("c") + " (Koji build failed)",
                "while I was away: 2 more COMPLETE: a, b (3/4 built)");
    }

    @Test
    void unwatchEndsThePollerWithTheLastRoom() {
        bot(THREADS);
        steppedBuild();
        bot.send("alice", "!mbs watch 570");
        sendFrom("#other", "!mbs watch 570");
        assertThat(sendFrom("#other", "!mbs unwatch 570")).containsExactly(
                "stopped watching mbs #570 here (1 other room watches it)");
        assertThat(watches.polled()).isEqualTo(1);
        assertThat(bot.send("alice", "!mbs unwatch 570")).containsExactly("stopped watching mbs #570 here");
        assertThat(bot.send("alice", "!mbs unwatch 570")).containsExactly("not watching mbs #570 here");
        assertThat(journal.states("mbs-watch")).isEmpty();
        int reads = mbs.reads(570);
        assertThat(runUntil(Duration.ofMinutes(10), Duration.ofSeconds(30))).isEmpty();
        assertThat(mbs.reads(570)).isEqualTo(reads);
    }

    @Test
    void badUnknownAndEndedBuildsGetOneLineAndNoRecord() {
        bot(THREADS);
        mbs.submit("m", "s", "o", "a").component("a", 1).state("done", null);
        assertThat(bot.send("alice", "!mbs watch abc")).containsExactly(
                "a module build id is a positive number, like 570; not \"abc\"");
        assertThat(bot.send("alice", "!mbs watch 0")).containsExactly(
                "a module build id is a positive number, like 570; not \"0\"");
        assertThat(bot.send("alice", "!mbs watch 999")).containsExactly(
                "MBS has no module build 999 (No such module found.)");
        assertThat(bot.send("alice", "!mbs watch 570")).containsExactly(
                "Summary: 1 component in the COMPLETE state; o's build #570 of m-s is in the \"done\" state "
                        + "(koji tag: \"module-m-s-20171005113458-00000000\")");
        assertThat(journal.states("mbs-watch")).isEmpty();
        assertThat(watches.polled()).isZero();
    }

    @Test
    void aJournalThatCannotWriteRefusesTheWatch() {
        bot(THREADS);
        mbs.submit("m", "s", "o", "a");
        journal.failWrites(true);
        List<String> got = bot.send("alice", "!mbs watch 570");
        journal.failWrites(false);
        assertThat(got).hasSize(1);
        assertThat(got.get(0)).startsWith("refused: the journal cannot record the watch (").endsWith(
                "; not watching mbs #570");
        assertThat(watches.polled()).isZero();
    }

    @Test
    void withoutThreadsLinesGoToTheRoomPrefixedWithTheBuild() {
        bot(Capabilities.terminal());
        steppedBuild();
        assertThat(bot.send("alice", "!mbs watch 570")).containsExactly(
                "mbs #570 shared-userspace-f26 by psabata: wait · 4 undefined");
        List<Sent> sent = runUntil(Duration.ofSeconds(160), Duration.ofSeconds(10));
        assertThat(sent).allMatch(s -> s.to().equals(ROOM));
        assertThat(texts(sent)).containsExactly("[mbs 570] module state: wait → build",
                "[mbs 570] 2 more COMPLETE: a, b (2/4 built)");
    }

    @Test
    void aSeededRecordOpensItsThreadsWhenResumed() {
        mbs.submit("m", "s", "o", "a").state("build", null).component("a", 0);
        List<ChatAddress> rooms = new ArrayList<>(List.of(ROOM, ChatAddress.of(TestBot.CHAT, "#b")));
        journal.putState(MbsWatches.recordKind(), MbsWatches.recordKey(mbs.url().toString(), 570),
                MbsWatches.newRecord(mbs.url().toString(), 570, rooms));
        bot(Capabilities.terminal());
        watches.tick();
        polls.poll().run();
        bot.settle();
        assertThat(bot.chat().sent()).extracting(Sent::to).containsExactly(rooms.get(0), rooms.get(1));
        assertThat(texts(bot.chat().sent())).containsOnly("mbs #570 m-s by o: build · 1 BUILDING");
        assertThat(journal.states("mbs-watch").values().iterator().next()).contains("\"prefixed\":true");
    }
}
