package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * A {@code confirm} step pauses its operation with nothing in flight, under the approval rules (distinct people, the
 * role, self-approval, expiry); approved it goes on with the next step, denied or expired it fails there and rolls
 * back its completed steps, and it waits across a restart with the same expiry and the approvals already given.
 */
class ConfirmStepTest {
    private static final OperationId ONE = new OperationId(1);
    private static final ChatAddress HERE = TestBot.ROOM_ADDRESS;
    private static final String WAITS = "deploy #1 waits at step 2 \"canary ok?\": check the canary dashboards — "
            + "continue with !approve 1 (1 of role releng, not alice; expires 10:30Z), stop with !deny 1";

    private static final Instant T0 = new FakeTicker().now();

    private final Steps steps = new Steps();
    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    /** Runs every step at once, keeps {@code build=42} from "stage", and remembers each call and what it saw. */
    static final class Steps implements StepExecutor {
        final List<String> calls = new ArrayList<>();
        final List<Map<String, String>> vars = new ArrayList<>();
        /** Run when "stage" runs, e.g. to break the journal. */
        volatile Runnable onStage = () -> { };

        @Override
        public String kind() {
            return "fake";
        }

        @Override
        public synchronized StepResult execute(ExecRequest request, ExecContext context) {
            calls.add(request.step().name());
            if (request.step().name().equals("stage")) {
                onStage.run();
            }
            vars.add(Map.copyOf(request.vars()));
            StepResult ok = StepResult.succeeded(request.host(), 0, "ok");
            return request.step().name().equals("stage") ? ok.withKept(Map.of("build", "42")) : ok;
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }

        synchronized Map<String, String> lastVars() {
            return vars.get(vars.size() - 1);
        }
    }

    private static StepSpec step(String name, StepSpec rollback) {
        return new StepSpec(name, "fake", Map.of("command", name), List.of(), 1, null, null, OnHostFailure.STOP,
                rollback);
    }

    static OperationPlan plan(int required, boolean selfApprove) {
        return new OperationPlan("deploy", Map.of(), List.of(
                step("stage", step("unstage", null)),
                StepSpec.confirm("canary ok?", "check the canary dashboards",
                        new ApprovalPolicy("releng", required, selfApprove, Duration.ofMinutes(30))),
                step("finish", null)), ApprovalPolicy.NONE, "steps");
    }

    static void commands(CommandRules r) {
        r.register(CommandSpec.builder("deploy").summary("pauses at a canary check").role("releng")
                .handler(c -> Outcome.planned(plan(1, false))).build());
        r.register(CommandSpec.builder("twice").summary("needs two to go on").role("releng")
                .handler(c -> Outcome.planned(plan(2, false))).build());
        r.register(CommandSpec.builder("mine").summary("the requester may go on").role("releng")
                .handler(c -> Outcome.planned(plan(1, true))).build());
    }

    private TestBot start() {
        bot = TestBot.builder().journal(journal).ticker(ticker).commands(ConfirmStepTest::commands).executor(steps)
                .role("releng", "alice", "bob", "bob2", "carol").person("bob", "bob", "bob2").build();
        return bot;
    }

    private static Identity id(String name) {
        return new Identity(TestBot.CHAT, name);
    }

    /** Starts "deploy" as alice and waits for the pause; returns the room's lines. */
    private List<String> paused(String command) {
        List<String> lines = new ArrayList<>(bot.send("alice", "!" + command));
        if (lines.stream().noneMatch(l -> l.contains(" waits at step 2 "))) {
            lines.addAll(bot.awaitLine(" waits at step 2 ", Duration.ofSeconds(10)));
        }
        return lines;
    }

    @Test
    void theOperationPausesWithNothingRunningAndTheRoomIsToldHowToGoOn() {
        start();
        List<String> lines = paused("deploy");
        assertThat(lines).contains(WAITS);
        bot.settle();
        assertThat(steps.calls()).containsExactly("stage");
        assertThat(bot.runner().running()).isEmpty();
        assertThat(bot.api().activeOperations()).singleElement()
                .satisfies(op -> assertThat(op.state()).isEqualTo(OperationState.WAITING));
        assertThat(journal.operation(ONE).orElseThrow().state()).isEqualTo(OperationState.WAITING);
        assertThat(journal.operation(ONE).orElseThrow().expiresAt()).isEqualTo(ticker.now().plus(Duration.ofMinutes(
                30)));
        PendingApproval p = bot.api().pendingApproval(ONE).orElseThrow();
        assertThat(p.confirm()).isTrue();
        assertThat(p.step()).isEqualTo(1);
    }

    @Test
    void approvedTheNextStepRunsWithTheValuesKeptBeforeThePause() {
        start();
        paused("deploy");
        ticker.advance(Duration.ofMinutes(2));
        assertThat(bot.api().approve(ONE, id("bob"), HERE))
                .isEqualTo("deploy #1 step 2 \"canary ok?\" confirmed by bob; continuing");
        bot.awaitLine("succeeded", Duration.ofSeconds(10));
        assertThat(steps.calls()).containsExactly("stage", "finish");
        assertThat(steps.lastVars()).containsEntry("build", "42");
        assertThat(journal.operation(ONE).orElseThrow().state()).isEqualTo(OperationState.SUCCEEDED);
        assertThat(journal.approvals(ONE)).filteredOn(ApprovalRecord::confirm)
                .extracting(ApprovalRecord::kind, ApprovalRecord::who, ApprovalRecord::at, ApprovalRecord::step)
                .containsExactly(tuple(ApprovalRecord.Kind.REQUESTED, id("alice"), T0, 1),
                        tuple(ApprovalRecord.Kind.APPROVED, id("bob"), T0.plus(Duration.ofMinutes(2)), 1));
    }

    @Test
    void deniedItFailsAtTheStepAndItsCompletedStepsRollBack() {
        start();
        paused("deploy");
        assertThat(bot.api().deny(ONE, id("bob"), "error rate up", HERE)).isEqualTo("deploy #1 denied by bob: "
                + "error rate up at step 2 \"canary ok?\"; it fails there and its completed steps roll back");
        List<String> lines = bot.awaitLine("failed at step", Duration.ofSeconds(10));
        assertThat(String.join("\n", lines)).contains("deploy #1 failed at step \"canary ok?\": denied by bob: "
                + "error rate up · rolled back 1 step");
        bot.settle();
        assertThat(steps.calls()).containsExactly("stage", "unstage");
        assertThat(journal.operation(ONE).orElseThrow().state()).isEqualTo(OperationState.FAILED);
        assertThat(journal.approvals(ONE)).filteredOn(ApprovalRecord::confirm).last()
                .satisfies(a -> assertThat(a.kind()).isEqualTo(ApprovalRecord.Kind.DENIED))
                .satisfies(a -> assertThat(a.who()).isEqualTo(id("bob")))
                .satisfies(a -> assertThat(a.reason()).isEqualTo("error rate up"));
        assertThat(bot.api().activeOperations()).isEmpty();
    }

    @Test
    void unconfirmedByItsExpiryItFailsAndRollsBack() {
        start();
        paused("deploy");
        ticker.advance(Duration.ofMinutes(30));
        List<String> lines = bot.awaitLine("failed at step", Duration.ofSeconds(10));
        assertThat(String.join("\n", lines)).contains("deploy #1 failed at step \"canary ok?\": not confirmed "
                + "before 10:30Z · rolled back 1 step");
        bot.settle();
        assertThat(steps.calls()).containsExactly("stage", "unstage");
        assertThat(journal.operation(ONE).orElseThrow().state()).isEqualTo(OperationState.FAILED);
        assertThat(journal.approvals(ONE)).filteredOn(ApprovalRecord::confirm).last()
                .satisfies(a -> assertThat(a.kind()).isEqualTo(ApprovalRecord.Kind.EXPIRED));
        assertThatThrownBy(() -> bot.api().approve(ONE, id("bob"), HERE)).hasMessageContaining("not waiting");
    }

    @Test
    void theRequesterCannotConfirmHerOwnOperationUnlessTheStepAllowsIt() {
        start();
        paused("deploy");
        assertThatThrownBy(() -> bot.api().approve(ONE, id("alice"), HERE))
                .hasMessageContaining("someone else with role releng must approve it");
        assertThat(steps.calls()).containsExactly("stage");
        bot.close();

        bot = TestBot.builder().ticker(ticker).commands(ConfirmStepTest::commands).executor(steps)
                .role("releng", "alice", "bob").build();
        assertThat(paused("mine")).anyMatch(l -> l.endsWith(
                "(1 of role releng; expires 10:30Z), stop with !deny 1"));
        assertThat(bot.api().approve(ONE, id("alice"), HERE)).endsWith("confirmed by alice; continuing");
        bot.awaitLine("succeeded", Duration.ofSeconds(10));
    }

    @Test
    void twoRequiredMeansTwoDistinctPeople() {
        start();
        paused("twice");
        assertThat(bot.api().approve(ONE, id("bob"), HERE)).isEqualTo("deploy #1: approval by bob counted (1 of 2; "
                + "expires 10:30Z)");
        assertThatThrownBy(() -> bot.api().approve(ONE, id("bob2"), HERE))
                .hasMessageContaining("you already approved deploy #1 as chat:bob");
        bot.settle();
        assertThat(steps.calls()).containsExactly("stage");
        assertThat(bot.api().approve(ONE, id("carol"), HERE))
                .isEqualTo("deploy #1 step 2 \"canary ok?\" confirmed by bob, carol; continuing");
        bot.awaitLine("succeeded", Duration.ofSeconds(10));
        assertThat(steps.calls()).containsExactly("stage", "finish");
    }

    @Test
    void aConfirmationCountsOnlyInTheRoomOfTheRequest() {
        start();
        paused("deploy");
        assertThatThrownBy(() -> bot.api().approve(ONE, id("bob"), ChatAddress.of(TestBot.CHAT, "bob")))
                .hasMessageContaining("not counted: approve deploy #1 in chat:#releng");
        assertThat(bot.api().pendingApproval(ONE).orElseThrow().approvedBy()).isEmpty();
    }

    @Test
    void aWaitTheJournalRefusesWouldNotSurviveARestartSoItFailsThereAndRollsBack() {
        start();
        steps.onStage = () -> journal.failWrites(true);
        bot.send("alice", "!deploy");
        List<String> lines = bot.awaitLine("failed at step", Duration.ofSeconds(10));
        assertThat(String.join("\n", lines)).contains("deploy #1 failed at step \"canary ok?\": the journal refused "
                + "to record the wait · rolled back 1 step").doesNotContain(" waits at step 2 ");
        bot.settle();
        assertThat(steps.calls()).containsExactly("stage", "unstage");
        assertThat(bot.api().activeOperations()).isEmpty();
        journal.failWrites(false);
    }

    @Test
    void cancelledWhileWaitingItEndsCancelledAndRollsBack() {
        start();
        paused("deploy");
        assertThat(bot.api().cancel(ONE, id("alice"))).isEqualTo("cancelling deploy #1 (it waited at step 2 "
                + "\"canary ok?\"): completed steps roll back");
        bot.awaitLine("cancelled by", Duration.ofSeconds(10));
        bot.settle();
        assertThat(steps.calls()).containsExactly("stage", "unstage");
        assertThat(journal.operation(ONE).orElseThrow().state()).isEqualTo(OperationState.CANCELLED);
    }

    @Test
    void aStoppedBotLeavesItWaitingAndAfterTheRestartItGoesOnWithoutRunningStepOneAgain() {
        start();
        paused("twice");
        bot.api().approve(ONE, id("bob"), HERE);
        bot.close();
        assertThat(journal.operation(ONE).orElseThrow().state()).isEqualTo(OperationState.WAITING);

        ticker.advance(Duration.ofMinutes(5));
        start();
        PendingApproval p = bot.api().pendingApproval(ONE).orElseThrow();
        assertThat(p.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(p.approvedBy()).containsExactly(id("bob"));
        assertThat(bot.api().activeOperations()).singleElement()
                .satisfies(op -> assertThat(op.state()).isEqualTo(OperationState.WAITING));
        assertThatThrownBy(() -> bot.api().approve(ONE, id("bob"), HERE)).hasMessageContaining("already approved");
        assertThat(bot.api().approve(ONE, id("carol"), HERE)).endsWith("confirmed by bob, carol; continuing");
        bot.awaitLine("succeeded", Duration.ofSeconds(10));
        assertThat(steps.calls()).containsExactly("stage", "finish");
        assertThat(steps.lastVars()).containsEntry("build", "42");
    }
}
