package org.buildduty.commands.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.TestBot;

/** {@code retry <id>}: a new operation from the first step that did not succeed, where it did not. */
class RetryCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> HOSTS = List.of("bm01", "bm02", "bm03");

    private final FakeTicker ticker = new FakeTicker();
    private final FakeExecutor fake = new FakeExecutor("fake", ticker);
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    static OperationPlan plan(String kind, ApprovalPolicy policy, StepSpec switchRollback) {
        StepSpec prepare = StepSpec.of("prepare", "fake", Map.of("command", "true"));
        StepSpec sw = new StepSpec("switch", "fake", Map.of("command", "true"), HOSTS, 3, null, null,
                OnHostFailure.CONTINUE, switchRollback);
        StepSpec finish = new StepSpec("finish", "fake", Map.of("command", "true"), HOSTS, 3, null, null,
                OnHostFailure.STOP, null);
        return new OperationPlan(kind, Map.of("revision", "4f2a9c1"), List.of(prepare, sw, finish), policy, "hosts");
    }

    static void commands(CommandRules r) {
        r.register(CommandSpec.builder("deploy").summary("needs approval and releng").role("releng")
                .handler(c -> Outcome.planned(plan("deploy", ApprovalPolicy.of("releng", 1), null))).build());
        r.register(CommandSpec.builder("quick").summary("runs at once")
                .handler(c -> Outcome.planned(plan("quick", ApprovalPolicy.NONE, null))).build());
        r.register(CommandSpec.builder("undoing").summary("its switch step has a rollback")
                .handler(c -> Outcome.planned(plan("undoing", ApprovalPolicy.NONE,
                        StepSpec.of("unswitch", "fake", Map.of("command", "true"))))).build());
    }

    private void start() {
        bot = TestBot.builder().ticker(ticker).commands(BuiltinCommands::commands)
                .commands(RetryCommandTest::commands).executor(fake).anonymous(true)
                .role("releng", "alice", "bob").build();
    }

    private List<String> sendUntil(String principal, String text, String until) {
        List<String> lines = new ArrayList<>(bot.send(principal, text));
        if (lines.stream().noneMatch(l -> l.contains(until))) {
            lines.addAll(bot.awaitLine(until, WAIT));
        }
        return lines;
    }

    private void awaitInactive(long id) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (bot.api().activeOperations().stream().anyMatch(o -> o.id().value() == id)) {
            assertThat(System.nanoTime()).as("operation #%d still active", id).isLessThan(end);
            Thread.sleep(5);
        }
        bot.settle();
    }

    private OperationRecord record(long id) {
        return bot.journal().operation(new OperationId(id)).orElseThrow();
    }

    /** The calls of operation {@code id}, as {@code step host}. */
    private List<String> calls(long id) {
        return fake.calls().stream().filter(c -> c.operation().value() == id)
                .map(c -> c.step() + " " + c.host()).sorted().toList();
    }

    @Test
    void retryRunsOnlyTheFailedHostFromTheFailedStepThenTheRestEverywhere() throws InterruptedException {
        fake.on("switch", "bm02", FakeExecutor.script().output("boom").fail(1));
        start();
        sendUntil("alice", "!quick", "· failed");
        awaitInactive(1);
        assertThat(calls(1)).containsExactly("prepare null", "switch bm01", "switch bm02", "switch bm03");

        fake.on("switch", "bm02", FakeExecutor.script().succeed());
        List<String> lines = sendUntil("alice", "!retry 1", "· succeeded");
        assertThat(lines.get(0)).startsWith("quick #2 retries #1 from step 2 \"switch\" on bm02 · started");
        awaitInactive(2);
        assertThat(record(2).state()).isEqualTo(OperationState.SUCCEEDED);
        assertThat(record(2).plan().params()).isEqualTo(record(1).plan().params());
        assertThat(calls(2)).containsExactly("finish bm01", "finish bm02", "finish bm03", "switch bm02");
        assertThat(bot.send("alice", "!retry 2")).containsExactly("cannot retry quick #2: it succeeded");
    }

    @Test
    void allHostsRunsTheStepEverywhereAndARolledBackStepCountsAsNotSucceeded() throws InterruptedException {
        fake.on("finish", "bm03", FakeExecutor.script().fail(2));
        start();
        sendUntil("alice", "!undoing", "· failed");
        awaitInactive(1);
        // finish failed on bm03; switch was rolled back everywhere, so the retry starts at switch, on every host
        List<String> lines = sendUntil("alice", "!retry 1", "· failed");
        assertThat(lines.get(0)).startsWith("undoing #2 retries #1 from step 2 \"switch\" on bm01, bm02, bm03");
        awaitInactive(2);

        fake.on("finish", "bm03", FakeExecutor.script().succeed());
        sendUntil("alice", "!quick", "· succeeded");
        awaitInactive(3);
        assertThat(bot.send("alice", "!retry 3")).containsExactly("cannot retry quick #3: it succeeded");
    }

    @Test
    void approvalIsAskedAsThePlanSaysAndOnlyWhoMayRunTheCommandMayRetry() throws InterruptedException {
        fake.on("switch", "bm03", FakeExecutor.script().fail(1));
        start();
        bot.send("alice", "!deploy");
        assertThat(bot.send("mallory", "!retry 1")).singleElement().asString()
                .startsWith("not allowed: retry deploy #1 needs what deploy needs (role releng)");
        assertThat(bot.send("alice", "!retry 1")).containsExactly(
                "cannot retry deploy #1: it is still pending approval (cancel it first: !cancel 1)");
        sendUntil("bob", "!approve 1", "· failed");
        awaitInactive(1);

        List<String> lines = bot.send("alice", "!retry 1 --all-hosts");
        assertThat(lines.get(0)).startsWith("deploy #2 retries #1 from step 2 \"switch\" on bm01, bm02, bm03 · by")
                .contains("approve with \"!approve 2\"");
        assertThat(record(2).state()).isEqualTo(OperationState.PENDING_APPROVAL);
        assertThat(record(2).plan().steps()).extracting(StepSpec::name).containsExactly("switch", "finish");
        assertThat(bot.send("alice", "!retry 99")).containsExactly("no operation #99");
    }

    /** Journals a failed operation of {@code kind}: step 1 kept a value, step 2 failed on bm02. */
    private void failedInTheJournal(String kind, String step2Command) {
        java.time.Instant t = ticker.now();
        StepSpec fetch = StepSpec.of("fetch", "fake", Map.of("command", "true"));
        StepSpec use = new StepSpec("use", "fake", Map.of("command", step2Command), List.of("bm01", "bm02"), 2,
                null, null, OnHostFailure.STOP, null);
        OperationPlan p = new OperationPlan(kind, Map.of(), List.of(fetch, use), ApprovalPolicy.NONE, "hosts");
        OperationId id = bot.journal().nextOperationId();
        bot.journal().operationCreated(new org.buildduty.core.operation.Operation(id, p,
                new org.buildduty.core.chat.Identity(TestBot.CHAT, "alice"),
                org.buildduty.core.chat.ChatAddress.of(TestBot.CHAT, TestBot.ROOM), t, OperationState.QUEUED));
        bot.journal().operationState(id, OperationState.RUNNING, t, "");
        bot.journal().hostStarted(id, 0, "fetch", null, false, t);
        bot.journal().hostFinished(id, 0, false, org.buildduty.core.exec.StepResult.succeeded(null, 0, "")
                .withKept(Map.of("build_number", "7")), t);
        bot.journal().hostStarted(id, 1, "use", "bm01", false, t);
        bot.journal().hostFinished(id, 1, false, org.buildduty.core.exec.StepResult.succeeded("bm01", 0, ""), t);
        bot.journal().hostStarted(id, 1, "use", "bm02", false, t);
        bot.journal().hostFinished(id, 1, false, org.buildduty.core.exec.StepResult.failed("bm02", 1, "", ""), t);
        bot.journal().operationState(id, OperationState.FAILED, t, "failed");
    }

    @Test
    void aRetryThatWouldLoseAKeptValueIsRefusedAndAGoneCommandNeedsReleng() {
        start();
        failedInTheJournal("gone", "deploy {{build_number}}");
        assertThat(bot.send("alice", "!retry 1")).containsExactly("cannot retry gone #1 from step 2: step \"use\""
                + " needs build_number, kept by an earlier step; start it again");
        assertThat(bot.send("mallory", "!retry 1")).singleElement().asString().startsWith(
                "not allowed: retry gone #1 needs role releng (its command is no longer configured)");

        failedInTheJournal("gone", "deploy");
        assertThat(bot.send("alice", "!retry 2").get(0)).startsWith("gone #3 retries #2 from step 2 \"use\" on bm02");
    }
}
