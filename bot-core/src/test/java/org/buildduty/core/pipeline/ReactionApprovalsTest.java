package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * Approve and deny by reaction on the bot's request message: ✅ 👍 ✔ approve, ❌ denies, under the typed command's
 * rules and wording; a reaction removed before the approval completes withdraws it, also across a restart.
 */
class ReactionApprovalsTest {
    private static final String ROOM = TestBot.ROOM;
    private static final String CHECK = "\u2705";
    private static final String THUMBS_MEDIUM = "\uD83D\uDC4D\uD83C\uDFFD";
    private static final String HEAVY_CHECK_FE0F = "\u2714\uFE0F";
    private static final String CROSS = "\u274C";
    private static final OperationId ONE = new OperationId(1);

    private final FakeExecutor fake = new FakeExecutor("fake");
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot start(InMemoryJournal journal, FakeTicker ticker) {
        bot = TestBot.builder().journal(journal).ticker(ticker).commands(EngineTest::commands).executor(fake)
                .role("releng", "alice", "bob", "carol").build();
        return bot;
    }

    private TestBot start() {
        return start(new InMemoryJournal(), new FakeTicker());
    }

    /** The id of the bot's message asking approval of operation {@code n}. */
    private String request(int n) {
        return bot.chat().idOf("approve with \"!approve " + n + "\"");
    }

    private List<String> react(String who, String messageId, String key, String reactionId) {
        bot.chat().react(who, ROOM, messageId, key, true, reactionId);
        return bot.settle();
    }

    /** Waits for a line containing {@code text}, unless one of the lines already {@code seen} has it. */
    private void awaitAfter(List<String> seen, String text) {
        if (seen.stream().noneMatch(l -> l.contains(text))) {
            bot.awaitLine(text, Duration.ofSeconds(10));
        }
    }

    private List<String> unreact(String who, String reactionId) {
        bot.chat().react(who, ROOM, null, null, false, reactionId);
        return bot.settle();
    }

    private List<Identity> approvers(OperationId id) {
        return bot.api().pendingApproval(id).orElseThrow().approvedBy();
    }

    @Test
    void aConfirmStepIsConfirmedByAReactionOnItsOwnLineAndNotByOneOnTheStartRequest() {
        ConfirmStepTest.Steps steps = new ConfirmStepTest.Steps();
        OperationPlan confirmed = ConfirmStepTest.plan(2, false);
        OperationPlan gated = new OperationPlan("deploy", confirmed.params(), confirmed.steps(),
                ApprovalPolicy.of("releng", 1), "steps");
        bot = TestBot.builder().executor(steps).role("releng", "alice", "bob", "carol")
                .commands(r -> r.register(CommandSpec.builder("deploy").summary("gated, then a canary check")
                        .role("releng").handler(c -> Outcome.planned(gated)).build())).build();
        bot.send("alice", "!deploy");
        String start = request(1);
        awaitAfter(react("bob", start, CHECK, "$r1"), "deploy #1 waits at step 2 \"canary ok?\"");
        String confirm = bot.chat().idOf("continue with !approve 1");

        assertThat(react("carol", start, CHECK, "$r2")).as("a reaction on the start request").isEmpty();
        assertThat(approvers(ONE)).isEmpty();
        assertThat(react("carol", confirm, CHECK, "$r3")).singleElement().asString()
                .startsWith("deploy #1: approval by carol counted (1 of 2");
        assertThat(unreact("carol", "$r3")).containsExactly("carol's approval of deploy #1 withdrawn (reaction "
                + "removed); 0 of 2");
        assertThat(react("bob", confirm, "\uD83D\uDC4D", "$r4")).singleElement().asString()
                .startsWith("deploy #1: approval by bob counted (1 of 2");
        awaitAfter(react("carol", confirm, CHECK, "$r5"), "deploy #1 [");
        assertThat(steps.calls()).containsExactly("stage", "finish");
        assertThat(bot.journal().approvals(ONE)).filteredOn(a -> a.kind() == ApprovalRecord.Kind.WITHDRAWN)
                .singleElement().satisfies(a -> assertThat(a.step()).isEqualTo(1));
    }

    @Test
    void aCheckMarkOnTheRequestApprovesAndRuns() {
        start();
        bot.send("alice", "!deploy");
        List<String> lines = react("bob", request(1), CHECK, "$r1");
        assertThat(lines).first().isEqualTo("deploy #1 approved by bob; running");
        awaitAfter(lines, "deploy #1 [############] 2/2 hosts · succeeded");
    }

    @Test
    void thumbsUpWithASkinToneAndTheHeavyCheckWithItsSelectorCountAsApprovals() {
        start();
        bot.send("alice", "!twice");
        assertThat(react("bob", request(1), THUMBS_MEDIUM, "$r1")).singleElement().asString()
                .startsWith("twice #1: approval by bob counted (1 of 2");
        assertThat(react("carol", request(1), HEAVY_CHECK_FE0F, "$r2")).first()
                .isEqualTo("twice #1 approved by bob, carol; running");
    }

    @Test
    void otherEmojiAndReactionsOnOtherMessagesAreIgnoredSilently() {
        start();
        bot.send("alice", "!deploy");
        assertThat(react("bob", request(1), "\uD83C\uDF89", "$r1")).isEmpty();
        assertThat(react("bob", "no-such-message", CHECK, "$r2")).isEmpty();
        assertThat(react("bob", request(1), "\u274E", "$r3")).isEmpty();
        assertThat(approvers(ONE)).isEmpty();
    }

    @Test
    void aReactionBySomeoneWithoutTheRoleIsNotCountedAndSaysSoInOneLine() {
        start();
        bot.send("alice", "!deploy");
        assertThat(react("dave", request(1), CHECK, "$r1"))
                .containsExactly("approving deploy #1 needs role releng (you are chat:dave)");
        assertThat(approvers(ONE)).isEmpty();
    }

    @Test
    void theRequestersReactionIsRefusedUnlessSelfApprovalIsAllowed() {
        start();
        bot.send("alice", "!deploy");
        assertThat(react("alice", request(1), CHECK, "$r1"))
                .containsExactly("you requested deploy #1; someone else with role releng must approve it");
        assertThat(approvers(ONE)).isEmpty();
        bot.send("alice", "!mine");
        assertThat(react("alice", request(2), CHECK, "$r2")).first().isEqualTo("mine #2 approved by alice; running");
    }

    @Test
    void theSamePersonReactingTwiceCountsOnce() {
        start();
        bot.send("alice", "!twice");
        react("bob", request(1), CHECK, "$r1");
        assertThat(react("bob", request(1), CHECK, "$r1again")).isEmpty();
        assertThat(react("bob", request(1), "\uD83D\uDC4D", "$r2")).isEmpty();
        assertThat(approvers(ONE)).containsExactly(new Identity(TestBot.CHAT, "bob"));
    }

    @Test
    void aCrossMarkDenies() {
        start();
        bot.send("alice", "!deploy");
        assertThat(react("bob", request(1), CROSS, "$r1")).containsExactly("deploy #1 denied by bob; it will not run");
        assertThat(bot.journal().operation(ONE).orElseThrow().state()).isEqualTo(OperationState.DENIED);
    }

    @Test
    void aReactionRemovedBeforeTheApprovalCompletesNoLongerCounts() {
        start();
        bot.send("alice", "!twice");
        react("bob", request(1), CHECK, "$r1");
        assertThat(unreact("bob", "$r1"))
                .containsExactly("bob's approval of twice #1 withdrawn (reaction removed); 0 of 2");
        assertThat(approvers(ONE)).isEmpty();
        assertThat(react("carol", request(1), CHECK, "$r2")).singleElement().asString()
                .startsWith("twice #1: approval by carol counted (1 of 2");
        assertThat(bot.journal().approvals(ONE)).extracting(ApprovalRecord::kind).containsExactly(
                ApprovalRecord.Kind.REQUESTED, ApprovalRecord.Kind.APPROVED, ApprovalRecord.Kind.WITHDRAWN,
                ApprovalRecord.Kind.APPROVED);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void aRemovalBySomeoneElseIsNotTheReactorsWithdrawal() {
        start();
        bot.send("alice", "!twice");
        react("bob", request(1), CHECK, "$r1");
        assertThat(unreact("moderator", "$r1")).containsExactly("the reaction of bob was removed by moderator; it is"
                + " not bob's withdrawal: the approval of twice #1 still counts");
        assertThat(approvers(ONE)).containsExactly(new Identity(TestBot.CHAT, "bob"));
    }

    @Test
    void aRemovalAfterTheOperationStartedChangesNothing() {
        start();
        bot.send("alice", "!deploy");
        awaitAfter(react("bob", request(1), CHECK, "$r1"), "deploy #1 [############] 2/2 hosts · succeeded");
        assertThat(unreact("bob", "$r1")).isEmpty();
        assertThat(bot.journal().approvals(ONE)).extracting(ApprovalRecord::kind)
                .doesNotContain(ApprovalRecord.Kind.WITHDRAWN);
    }

    @Test
    void aReactionInAnotherRoomNamingTheRequestIsIgnored() {
        start();
        bot.send("alice", "!deploy");
        bot.chat().react("bob", "#elsewhere", request(1), CHECK, true, "$r1");
        assertThat(bot.settle()).isEmpty();
        assertThat(approvers(ONE)).isEmpty();
    }

    @Test
    void aRestartKeepsTheRequestMessageAndTheCountedReactionsAndDoesNotRestoreAWithdrawnApproval() {
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        start(journal, ticker);
        bot.send("alice", "!twice");
        String message = request(1);
        react("bob", message, CHECK, "$r1");
        bot.close();

        start(journal, ticker);
        assertThat(approvers(ONE)).containsExactly(new Identity(TestBot.CHAT, "bob"));
        assertThat(unreact("bob", "$r1"))
                .containsExactly("bob's approval of twice #1 withdrawn (reaction removed); 0 of 2");
        assertThat(react("carol", message, CHECK, "$r2")).singleElement().asString()
                .startsWith("twice #1: approval by carol counted (1 of 2");
        bot.close();

        start(journal, ticker);
        assertThat(approvers(ONE)).containsExactly(new Identity(TestBot.CHAT, "carol"));
        List<String> lines = react("bob", message, CHECK, "$r3");
        assertThat(lines).first().isEqualTo("twice #1 approved by carol, bob; running");
        awaitAfter(lines, "twice #1 [############] 2/2 hosts · succeeded");
        bot.engine().tick();
        assertThat(journal.states(ReactionApprovals.TARGETS)).isEmpty();
        assertThat(journal.states(ReactionApprovals.COUNTED)).isEmpty();
    }

    @Test
    void aReactionDeliveredAgainAfterARestartCountsOnceAndIsNotAnswered() {
        // a connector resuming from a position stored before a reaction delivers it again: approvals count people,
        // so the same person's approval again is not counted twice, and once the operation left approval it is ignored
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        start(journal, ticker);
        bot.send("alice", "!twice");
        String message = request(1);
        assertThat(react("bob", message, CHECK, "$r1")).singleElement().asString()
                .startsWith("twice #1: approval by bob counted (1 of 2");
        bot.close();

        start(journal, ticker);
        assertThat(react("bob", message, CHECK, "$r1")).isEmpty();
        assertThat(approvers(ONE)).containsExactly(new Identity(TestBot.CHAT, "bob"));
        List<String> lines = react("carol", message, CHECK, "$r2");
        assertThat(lines).first().isEqualTo("twice #1 approved by bob, carol; running");
        awaitAfter(lines, "twice #1 [############] 2/2 hosts · succeeded");
        bot.close();

        start(journal, ticker);
        assertThat(react("carol", message, CHECK, "$r2")).isEmpty();
        assertThat(react("bob", message, CHECK, "$r1")).isEmpty();
        assertThat(fake.calls()).hasSize(3);
    }
}
