package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.PlanCodec;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * Two operations that need the same runbook, hosts or named lock never run at once: the second queues behind the
 * holder in request order and starts by itself when the holder ends, or is refused in one line naming the holder.
 */
class ExclusionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> TAGS = List.of("a", "b", "c", "d", "e");

    private final FakeExecutor fake = gated(new FakeExecutor("fake"));
    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private TestBot bot;

    /** Step {@code work-<tag>} waits for the gate {@code go-<tag>}. */
    private static FakeExecutor gated(FakeExecutor f) {
        for (String t : TAGS) {
            f.onStep("work-" + t, FakeExecutor.script().await("go-" + t).succeed());
        }
        return f;
    }

    @AfterEach
    void stop() {
        TAGS.forEach(t -> fake.release("go-" + t));
        if (bot != null) {
            bot.close();
        }
    }

    /**
     * {@code <kind> <tag> [host...]}: one step {@code work-<tag>} on the hosts, with the kind's exclusion:
     * {@code roll} and {@code patch} are exclusive: hosts, {@code drain} and {@code update} take the lock
     * {@code masters} ({@code update} refuses to queue), {@code gated} needs one approval, {@code free} is exclusive:
     * none.
     */
    static void commands(CommandRules r) {
        register(r, "roll", new Exclusion(true, true, List.of(), List.of(), false), ApprovalPolicy.NONE);
        register(r, "patch", new Exclusion(true, true, List.of(), List.of(), false), ApprovalPolicy.NONE);
        register(r, "drain", new Exclusion(true, false, List.of("masters"), List.of(), false), ApprovalPolicy.NONE);
        register(r, "both", new Exclusion(false, false, List.of("masters", "workers"), List.of(), false),
                ApprovalPolicy.NONE);
        register(r, "workers", new Exclusion(false, false, List.of("workers"), List.of(), false), ApprovalPolicy.NONE);
        register(r, "update", new Exclusion(true, false, List.of("masters"), List.of(), true), ApprovalPolicy.NONE);
        register(r, "gated", Exclusion.RUNBOOK, ApprovalPolicy.of("releng", 1));
        register(r, "free", Exclusion.NONE, ApprovalPolicy.NONE);
    }

    private static void register(CommandRules r, String kind, Exclusion exclusion, ApprovalPolicy approval) {
        r.register(CommandSpec.builder(kind).summary(kind).positional("tag", 1, 1).positional("hosts", 0, 60)
                .handler(c -> Outcome.planned(plan(kind, c.args().positionals().get(0),
                        c.args().positionals().subList(1, c.args().positionals().size()), exclusion, approval)))
                .build());
    }

    static OperationPlan plan(String kind, String tag, List<String> hosts, Exclusion exclusion,
            ApprovalPolicy approval) {
        StepSpec step = new StepSpec("work-" + tag, "fake", Map.of("command", "true"), hosts, 60, null, null,
                OnHostFailure.STOP, null);
        return new OperationPlan(kind, new LinkedHashMap<>(Map.of("tag", tag)), List.of(step), approval, "steps",
                OnRestart.REPORT, exclusion);
    }

    private TestBot start() {
        bot = TestBot.builder().journal(journal).ticker(ticker).commands(ExclusionTest::commands).executor(fake)
                .role("releng", "alice", "bob", "carol").build();
        return bot;
    }

    private static List<String> hosts(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(String.format("bm%02d", i));
        }
        return out;
    }

    private static Identity chat(String principal) {
        return new Identity(TestBot.CHAT, principal);
    }

    /** Sends a command and checks that one of the lines it got starts with {@code start}. */
    private void answers(String principal, String text, String start) {
        assertThat(bot.send(principal, text)).anySatisfy(l -> assertThat(l).startsWith(start));
    }

    private long callsOf(String tag) {
        return fake.calls().stream().filter(c -> c.step().equals("work-" + tag)).count();
    }

    @Test
    void aSecondRunOfAnExclusiveRunbookQueuesBehindTheHolderAndStartsByItselfWhenItEnds() {
        start();
        answers("alice", "!roll a " + String.join(" ", hosts(1, 20)), "roll #1 started");
        fake.awaitRunning(20, WAIT);
        bot.settle();
        ticker.advance(Duration.ofMinutes(12));

        answers("bob", "!roll b bm51",
                "roll #2 queued behind #1 (roll by alice, running 12m)");
        assertThat(bot.api().waitingFor(new OperationId(2))).contains("queued 0s behind #1 (roll by alice, "
                + "running 12m)");
        assertThat(journal.operation(new OperationId(2)).orElseThrow().detail())
                .isEqualTo("queued behind #1 (roll by alice, running 12m)");
        assertThat(callsOf("b")).isZero();

        ticker.advance(Duration.ofMinutes(2));
        fake.release("go-a");
        List<String> lines = bot.awaitLine("roll #2 starting (queued 2m)", WAIT);
        int ended = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("roll #1 [") && lines.get(i).contains("· succeeded")) {
                ended = i;
            }
        }
        assertThat(ended).isBetween(0, lines.indexOf("roll #2 starting (queued 2m)"));
        fake.awaitCall("bm51", WAIT);
        FakeExecutor.Call first = fake.calls().get(0);
        FakeExecutor.Call second = fake.calls().stream().filter(c -> "bm51".equals(c.host())).findFirst()
                .orElseThrow();
        assertThat(second.startedAt()).isAfterOrEqualTo(first.endedAt());
    }

    @Test
    void hostExclusiveOperationsOfTwoRunbooksWaitOnlyForTheHostsTheyShare() {
        start();
        bot.send("alice", "!roll a " + String.join(" ", hosts(1, 20)));
        fake.awaitRunning(20, WAIT);
        bot.settle();

        answers("bob", "!patch b bm02 bm03 bm04 bm07 web1",
                "patch #2 queued behind #1 (roll by alice, running 0s; holds bm02..bm04, bm07)");
        answers("bob", "!patch c bm99",
                "patch #3 queued behind #2 (patch by bob, queued 0s)");
        answers("carol", "!free d bm01",
                "free #4 started");
        fake.awaitCalls(21, WAIT);
        assertThat(callsOf("d")).isEqualTo(1);
    }

    @Test
    void aNamedLockIsSharedAcrossRunbooksAndARefusingRunbookNamesTheHolderAndCreatesNothing() {
        start();
        bot.send("alice", "!drain a");
        fake.awaitRunning(1, WAIT);
        bot.settle();
        ticker.advance(Duration.ofMinutes(3));

        assertThat(bot.send("bob", "!update b")).containsExactly("refused: update does not queue (on_conflict: "
                + "refuse) and #1 (drain by alice, running 3m; holds lock masters) holds what it needs; try again "
                + "when #1 has ended");
        assertThat(journal.recent(100, Long.MAX_VALUE)).hasSize(1);

        fake.release("go-a");
        bot.awaitLine("drain #1 [############] 1/1 steps · succeeded", WAIT);
        answers("bob", "!update b",
                "update #2 started");
    }

    @Test
    void aWaitingOperationIsNotOvertakenByALaterOneThatNeedsPartOfWhatItWaitsFor() {
        start();
        bot.send("alice", "!drain a");
        fake.awaitRunning(1, WAIT);
        bot.settle();
        answers("bob", "!both b",
                "both #2 queued behind #1 (drain by alice, running 0s; holds lock masters)");
        answers("carol", "!workers c",
                "workers #3 queued behind #2 (both by bob, queued 0s; needs lock workers)");

        fake.release("go-a");
        bot.awaitLine("both #2 starting", WAIT);
        assertThat(bot.settle()).noneMatch(l -> l.contains("workers #3 starting"));
        assertThat(callsOf("c")).isZero();
        fake.release("go-b");
        bot.awaitLine("workers #3 starting", WAIT);
    }

    @Test
    void aQueuedOperationCancelledNeverRunsAndWhatQueuedBehindItMovesUp() {
        start();
        bot.send("alice", "!roll a bm01");
        fake.awaitRunning(1, WAIT);
        bot.settle();
        bot.send("bob", "!roll b bm02");
        bot.send("carol", "!roll c bm03");

        assertThat(bot.api().cancel(new OperationId(2), chat("bob")))
                .isEqualTo("roll #2 cancelled by bob while queued; it never ran");
        assertThat(journal.operation(new OperationId(2)).orElseThrow().state()).isEqualTo(OperationState.CANCELLED);
        fake.release("go-a");
        bot.awaitLine("roll #3 starting", WAIT);
        fake.release("go-c");
        bot.awaitLine("roll #3 [############] 1/1 steps · succeeded", WAIT);
        assertThat(callsOf("b")).isZero();
    }

    @Test
    void anApprovalMayArriveWhileTheHolderRunsAndTheApprovedOperationQueues() {
        start();
        bot.send("alice", "!gated a");
        bot.api().approve(new OperationId(1), chat("bob"), TestBot.ROOM_ADDRESS);
        fake.awaitRunning(1, WAIT);
        bot.settle();

        List<String> request = bot.send("alice", "!gated b");
        assertThat(request).hasSize(2);
        assertThat(request.get(1)).isEqualTo("gated #2 will queue behind #1 (gated by alice, running 0s) once "
                + "approved");
        assertThat(bot.api().approve(new OperationId(2), chat("bob"), TestBot.ROOM_ADDRESS)).isEqualTo(
                "gated #2 approved by bob; gated #2 queued behind #1 (gated by alice, running 0s)");
        fake.release("go-a");
        bot.awaitLine("gated #2 starting", WAIT);
    }

    @Test
    void aQueuedOperationStaysQueuedAcrossARestartAndStartsWhenTheInterruptedHolderIsReported() {
        Instant t = ticker.now();
        OperationPlan holding = plan("roll", "a", List.of("bm01"), new Exclusion(true, true, List.of(), List.of(),
                false), ApprovalPolicy.NONE);
        Operation holder = new Operation(new OperationId(1), holding, new Identity(TestBot.CHAT, "alice"),
                TestBot.ROOM_ADDRESS, t, OperationState.QUEUED);
        journal.operationCreated(holder);
        journal.operationState(holder.id(), OperationState.RUNNING, t, "");
        journal.hostStarted(holder.id(), 0, "work-a", "bm01", false, t);
        Operation waiting = new Operation(new OperationId(2), plan("roll", "b", List.of("bm02"),
                holding.exclusion(), ApprovalPolicy.NONE), new Identity(TestBot.CHAT, "bob"),
                ChatAddress.of(TestBot.CHAT, TestBot.ROOM), t, OperationState.QUEUED);
        journal.operationCreated(waiting);
        journal.operationState(waiting.id(), OperationState.QUEUED, t, "queued behind #1");
        ticker.advance(Duration.ofMinutes(5));

        start();
        List<String> lines = bot.awaitLine("roll #2 starting (queued 5m)", WAIT);
        assertThat(lines.get(0)).startsWith("roll #1 interrupted: the bot restarted while it was running");
        fake.release("go-b");
        bot.awaitLine("roll #2 [############] 1/1 steps · succeeded", WAIT);
        assertThat(callsOf("a")).isZero();
        assertThat(journal.operation(waiting.id()).orElseThrow().state()).isEqualTo(OperationState.SUCCEEDED);
    }

    @Test
    void aHolderRollingBackAfterARestartKeepsItsLocksUntilTheRollbackEnds() {
        Instant t = ticker.now();
        StepSpec undo = new StepSpec("undo-a", "fake", Map.of("command", "true"), List.of(), 1, null, null,
                OnHostFailure.STOP, null);
        StepSpec work = new StepSpec("work-x", "fake", Map.of("command", "true"), List.of("bm01"), 1, null, null,
                OnHostFailure.STOP, undo);
        Exclusion drains = new Exclusion(true, false, List.of("masters"), List.of(), false);
        OperationPlan rollsBack = new OperationPlan("drain", Map.of(), List.of(work, work), ApprovalPolicy.NONE,
                "steps", OnRestart.ROLLBACK, drains);
        Operation holder = new Operation(new OperationId(1), rollsBack, new Identity(TestBot.CHAT, "alice"),
                TestBot.ROOM_ADDRESS, t, OperationState.QUEUED);
        journal.operationCreated(holder);
        journal.operationState(holder.id(), OperationState.RUNNING, t, "");
        journal.hostStarted(holder.id(), 0, "work-x", "bm01", false, t);
        journal.hostFinished(holder.id(), 0, false, StepResult.succeeded("bm01", 0, "done"), t);
        Operation waiting = new Operation(new OperationId(2), plan("update", "b", List.of(), drains,
                ApprovalPolicy.NONE), new Identity(TestBot.CHAT, "bob"), TestBot.ROOM_ADDRESS, t,
                OperationState.QUEUED);
        journal.operationCreated(waiting);
        fake.onStep("undo-a", FakeExecutor.script().await("go-undo").succeed());

        start();
        fake.awaitCall("bm01", WAIT);
        assertThat(bot.settle()).noneMatch(l -> l.contains("update #2 starting"));
        assertThat(bot.api().waitingFor(new OperationId(2))).hasValueSatisfying(w -> assertThat(w)
                .contains("behind #1 (drain by alice, rolling back"));
        fake.release("go-undo");
        bot.awaitLine("update #2 starting", WAIT);
    }

    @Test
    void theExclusionIsKeptInTheJournalAndAnOldPlanHasNone() {
        OperationPlan p = plan("roll", "a", hosts(1, 3), new Exclusion(true, true, List.of("masters"),
                List.of("builder x"), true), ApprovalPolicy.NONE);
        assertThat(PlanCodec.decode(PlanCodec.encode(p))).isEqualTo(p);
        assertThat(PlanCodec.decode(PlanCodec.encode(p.withExclusion(Exclusion.NONE))).exclusion())
                .isEqualTo(Exclusion.NONE);
        assertThat(Exclusion.keys(p)).containsExactly("runbook:roll", "host:bm01", "host:bm02", "host:bm03",
                "lock:masters", "target:builder x");
    }

    @Test
    void hostsAreShownAsRanges() {
        assertThat(ExclusionWording.ranges(List.of("bm03", "bm01", "bm02", "bm10", "web", "bm011", "bm9")))
                .containsExactly("bm9", "bm01..bm03", "bm10", "bm011", "web");
    }
}
