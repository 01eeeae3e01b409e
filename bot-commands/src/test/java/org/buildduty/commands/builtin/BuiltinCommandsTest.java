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

class BuiltinCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String BAD_ID = "not an operation id: \"abc\" (expected a number like 17)";

    private final FakeTicker ticker = new FakeTicker();
    private final FakeExecutor fake = new FakeExecutor("fake", ticker);
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    static OperationPlan plan(String kind, ApprovalPolicy policy) {
        StepSpec prepare = StepSpec.of("prepare", "fake", Map.of("command", "true"));
        StepSpec apply = new StepSpec("apply", "fake", Map.of("command", "true"), List.of("bm01", "bm02"), 2, null,
                null, OnHostFailure.STOP, null);
        return new OperationPlan(kind, Map.of("revision", "4f2a9c1"), List.of(prepare, apply), policy, "hosts");
    }

    /** The plan with its second step retried twice, 30s apart. */
    static OperationPlan retried(OperationPlan p) {
        List<StepSpec> steps = List.of(p.steps().get(0), p.steps().get(1).withRetries(2, Duration.ofSeconds(30)));
        return new OperationPlan(p.kind(), p.params(), steps, p.approval(), p.unit());
    }

    static void testCommands(CommandRules r) {
        r.register(CommandSpec.builder("deploy").summary("deploy a revision after approval").role("releng")
                .valueOption("revision", "SHA", "the revision to deploy").flag("dry-run", "show what would run")
                .handler(c -> Outcome.planned(plan("deploy", ApprovalPolicy.of("releng", 1)))).build());
        r.register(CommandSpec.builder("quick").summary("runs at once")
                .handler(c -> Outcome.planned(plan("quick", ApprovalPolicy.NONE))).build());
    }

    static void flakyCommand(CommandRules r) {
        r.register(CommandSpec.builder("flaky").summary("retries its hosts")
                .handler(c -> Outcome.planned(retried(plan("flaky", ApprovalPolicy.NONE)))).build());
    }

    private TestBot start(boolean anonymous) {
        bot = TestBot.builder().ticker(ticker).commands(BuiltinCommands::commands)
                .commands(BuiltinCommandsTest::testCommands).executor(fake).anonymous(anonymous)
                .role("releng", "alice", "bob").role("sheriff", "alice").build();
        return bot;
    }

    private static List<String> commandNames(List<String> helpLines) {
        return helpLines.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1).split("[ ]", 2)[0])
                .toList();
    }

    /** Sends a line and collects what the bot says until a line contains {@code until}. */
    private List<String> sendUntil(String principal, String text, String until) {
        List<String> lines = new ArrayList<>(bot.send(principal, text));
        if (lines.stream().noneMatch(l -> l.contains(until))) {
            lines.addAll(bot.awaitLine(until, WAIT));
        }
        return lines;
    }

    /** Waits until the engine no longer lists operation {@code id} as active. */
    private void awaitInactive(long id) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (bot.api().activeOperations().stream().anyMatch(o -> o.id().value() == id)) {
            assertThat(System.nanoTime()).as("operation #%d still active", id).isLessThan(end);
            Thread.sleep(5);
        }
        bot.settle();
    }

    private OperationState state(long id) {
        return bot.journal().operation(new OperationId(id)).map(OperationRecord::state).orElseThrow();
    }

    // ---- help ----

    @Test
    void helpListsEverythingForARoleHolder() {
        start(false);
        List<String> lines = bot.send("alice", "!help");
        assertThat(commandNames(lines))
                .containsExactly("help", "whoami", "ops", "op", "cancel", "approve", "deny", "retry", "deploy",
                        "quick");
        assertThat(lines).contains("!deploy [--revision SHA] [--dry-run] — deploy a revision after approval",
                "!quick — runs at once", "!op <id> — one operation's state, step by step");
        assertThat(lines).last().isEqualTo("(\"!help <command>\" for one command's options)");
    }

    @Test
    void helpOnAnIrcLikeChatIsOneLineOfNamesSinceEveryLineCostsTheFloodBudget() {
        bot = TestBot.builder().ticker(ticker).commands(BuiltinCommands::commands)
                .commands(BuiltinCommandsTest::testCommands).executor(fake).anonymous(true)
                .capabilities(new org.buildduty.core.chat.Capabilities(false, false, 400, 4,
                        Duration.ofSeconds(1), false))
                .role("releng", "alice").build();
        assertThat(bot.send("alice", "!help")).containsExactly("commands: help, whoami, ops, op, cancel, approve, "
                + "deny, retry, deploy, quick (\"!help <command>\" for one command's options)");
        assertThat(bot.send("mallory", "!help")).singleElement().asString().doesNotContain("deploy");
        assertThat(bot.send("alice", "!help deploy")).first().asString().startsWith("deploy [--revision SHA]");
    }

    @Test
    void helpHidesRoleCommandsFromAnOutsider() {
        start(true);
        List<String> lines = bot.send("mallory", "!help");
        assertThat(commandNames(lines))
                .containsExactly("help", "whoami", "ops", "op", "cancel", "approve", "deny", "retry", "quick");
        assertThat(String.join("\n", lines)).doesNotContain("deploy");
    }

    @Test
    void helpShowsOnlyHelpAndWhoamiToAnOutsiderWithoutAnonymousUse() {
        start(false);
        List<String> lines = bot.send("mallory", "!help");
        assertThat(commandNames(lines)).containsExactly("help", "whoami");
        assertThat(bot.send("mallory", "!ops")).containsExactly("not allowed: ops needs a role; chat:mallory has none");
        assertThat(bot.send("mallory", "!quick")).containsExactly(
                "not allowed: quick needs a role; chat:mallory has none");
        assertThat(bot.journal().recent(10, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void helpForOneCommandShowsUsageFromItsOptions() {
        start(true);
        assertThat(bot.send("alice", "!help deploy")).containsExactly(
                "deploy [--revision SHA] [--dry-run]",
                "deploy a revision after approval",
                "  --revision SHA  the revision to deploy",
                "  --dry-run  show what would run",
                "needs role releng");
        assertThat(bot.send("alice", "!help ops")).containsExactly(
                "ops [--recent]",
                "operations pending approval, queued, running or waiting at a confirm step",
                "  --recent  also list the 10 most recent finished operations");
        assertThat(bot.send("alice", "!help deny")).first().isEqualTo("deny <id> [reason...]");
    }

    @Test
    void helpForAnUnknownCommandIsOneLine() {
        start(true);
        assertThat(bot.send("alice", "!help deplyo")).singleElement().asString().contains("unknown command")
                .contains("deploy");
    }

    // ---- whoami ----

    @Test
    void whoamiNamesIdentityAndRoles() {
        start(false);
        assertThat(bot.send("alice", "!whoami")).containsExactly("you are chat:alice; roles: releng, sheriff");
        assertThat(bot.send("bob", "!whoami")).containsExactly("you are chat:bob; roles: releng");
        assertThat(bot.send("mallory", "!whoami")).containsExactly("you are chat:mallory; no roles");
    }

    @Test
    void whoamiExplainsAnUnverifiedNick() {
        start(false);
        assertThat(bot.send("?alice", "!whoami")).containsExactly("you are chat:?alice; no roles (?alice is an "
                + "unverified nick: the bot sees no services account logged in behind it, and anyone can take a "
                + "nick, so no role can name it; log in to services (SASL or NickServ IDENTIFY) - on a network "
                + "without services the bot's admin can use identity: hostmask)");
    }

    // ---- ops / op ----

    @Test
    void opsWithNothingGoingOn() {
        start(true);
        assertThat(bot.send("alice", "!ops")).containsExactly("no operations pending or running");
    }

    @Test
    void opsShowsPendingWithExpiryAndRunningWithElapsedTime() throws InterruptedException {
        fake.onStep("apply", FakeExecutor.script().await("go"));
        start(true);
        assertThat(bot.send("alice", "!deploy --revision 4f2a9c1")).singleElement().asString()
                .startsWith("deploy #1 by alice: revision=4f2a9c1 — approve with \"!approve 1\"");
        assertThat(bot.send("alice", "!ops")).containsExactly(
                "deploy #1 by alice · pending approval (0 of 1 of role releng; expires 10:15Z)");

        bot.send("bob", "!quick");
        fake.awaitRunning(2, WAIT);
        ticker.advance(Duration.ofMinutes(3));
        bot.engine().tick();
        bot.settle();
        assertThat(bot.send("bob", "!ops")).containsExactly(
                "deploy #1 by alice · pending approval (0 of 1 of role releng; expires 10:15Z)",
                "quick #2 by bob · running 3m");

        fake.release("go");
        bot.awaitLine("quick #2 [############] 2/2 hosts · succeeded", WAIT);
        awaitInactive(2);
        assertThat(bot.send("bob", "!ops")).containsExactly(
                "deploy #1 by alice · pending approval (0 of 1 of role releng; expires 10:15Z)");
    }

    @Test
    void opsRecentListsFinishedOperationsNewestFirst() throws InterruptedException {
        start(true);
        bot.send("alice", "!deploy");
        sendUntil("bob", "!quick", "quick #2 [############] 2/2 hosts · succeeded");
        awaitInactive(2);
        ticker.advance(Duration.ofMinutes(2));
        bot.send("bob", "!deny 1 freeze");
        assertThat(bot.send("bob", "!ops --recent")).containsExactly(
                "no operations pending or running",
                "quick #2 by bob · succeeded at 10:00Z",
                "deploy #1 by alice · denied at 10:02Z");
        assertThat(bot.send("bob", "!ops")).containsExactly("no operations pending or running");
    }

    @Test
    void opShowsApprovalsAndStepLines() throws InterruptedException {
        start(true);
        bot.send("alice", "!deploy");
        ticker.advance(Duration.ofMinutes(1));
        bot.send("bob", "!deny 1 not today");
        assertThat(bot.send("mallory", "!op 1")).containsExactly(
                "deploy #1 by alice · denied · revision=4f2a9c1",
                "  denied by bob: not today",
                "  denied by bob at 10:01Z: not today",
                "  step 1 prepare: not run",
                "  step 2 apply: not run");
    }

    @Test
    void opShowsHostResultsOfARunOperation() throws InterruptedException {
        fake.onHost("bm02", FakeExecutor.script().output("boom").fail(1));
        start(true);
        sendUntil("alice", "!quick", "· failed");
        awaitInactive(1);
        List<String> lines = bot.send("alice", "!op #1");
        assertThat(lines.get(0)).isEqualTo("quick #1 by alice · failed · 0s · revision=4f2a9c1");
        assertThat(lines).contains("  step 1 prepare: 1/1 ok", "  step 2 apply: 1/2 ok, 1 failed: bm02: exit 1 (boom)");
    }

    @Test
    void aRetriedHostIsToldOncePerRetryDrivenByTheTickerAndOpShowsItsAttempts() throws InterruptedException {
        fake.onHost("bm02", FakeExecutor.script().output("boom").fail(1));
        bot = TestBot.builder().ticker(ticker).commands(BuiltinCommands::commands)
                .commands(BuiltinCommandsTest::flakyCommand).executor(fake).anonymous(true).build();
        List<String> lines = sendUntil("alice", "!flaky", "retry 1 of 2");
        assertThat(lines).contains("flaky #1 step 2 on bm02: retry 1 of 2 in 30s (exit 1)");
        Thread.sleep(50);
        bot.engine().tick();
        assertThat(bot.drainNew()).noneMatch(l -> l.contains("retry 2"));
        ticker.advance(Duration.ofSeconds(30));
        assertThat(bot.awaitLine("retry 2 of 2", WAIT)).contains("flaky #1 step 2 on bm02: retry 2 of 2 in 30s"
                + " (exit 1)");
        ticker.advance(Duration.ofSeconds(30));
        bot.awaitLine("· failed", WAIT);
        awaitInactive(1);
        assertThat(fake.hostsCalled()).filteredOn("bm02"::equals).hasSize(3);
        assertThat(bot.send("alice", "!op 1")).contains(
                "  step 2 apply: 1/2 ok, 1 failed: bm02: exit 1 (boom) · bm02 failed, retried 2×, failed");
    }

    @Test
    void opOfAnUnknownOrBadId() {
        start(true);
        assertThat(bot.send("alice", "!op 99")).containsExactly("no operation #99");
        assertThat(bot.send("alice", "!op abc")).containsExactly(BAD_ID);
        assertThat(bot.send("alice", "!op 0")).singleElement().asString().startsWith("not an operation id");
        assertThat(bot.send("alice", "!op -1")).hasSize(1);
        assertThat(bot.send("alice", "!op")).hasSize(1);
    }

    // ---- approve / deny / cancel ----

    @Test
    void approveStartsTheOperation() {
        start(true);
        bot.send("alice", "!deploy");
        assertThat(bot.send("alice", "!approve 1")).containsExactly(
                "you requested deploy #1; someone else with role releng must approve it");
        assertThat(bot.send("mallory", "!approve 1")).containsExactly(
                "approving deploy #1 needs role releng (you are chat:mallory)");
        assertThat(fake.calls()).isEmpty();
        assertThat(sendUntil("bob", "!approve 1", "deploy #1 [############] 2/2 hosts · succeeded")).first()
                .isEqualTo("deploy #1 approved by bob; running");
        assertThat(fake.hostsCalled()).containsExactlyInAnyOrder(null, "bm01", "bm02");
        assertThat(bot.send("bob", "!approve 1")).containsExactly("#1 is not waiting for approval");
    }

    @Test
    void approveAcceptsAHashId() {
        start(true);
        bot.send("alice", "!deploy");
        assertThat(sendUntil("bob", "!approve #1", "· succeeded")).first()
                .isEqualTo("deploy #1 approved by bob; running");
    }

    @Test
    void badIdsGetOneClearLine() {
        start(true);
        bot.send("alice", "!deploy");
        assertThat(bot.send("bob", "!approve abc")).containsExactly(BAD_ID);
        assertThat(bot.send("bob", "!deny abc because")).containsExactly(BAD_ID);
        assertThat(bot.send("bob", "!cancel abc")).containsExactly(BAD_ID);
        assertThat(bot.send("bob", "!approve 1.5")).singleElement().asString().startsWith("not an operation id");
        assertThat(bot.send("bob", "!approve 99999999999999999999")).singleElement().asString()
                .startsWith("not an operation id");
        assertThat(bot.send("bob", "!approve \u001b[31m")).singleElement().asString()
                .contains("control character").doesNotContain("\u001b");
        assertThat(bot.send("bob", "!approve \u202e1")).containsExactly(
                "not an operation id: \"?1\" (expected a number like 17)");
        assertThat(bot.send("bob", "!approve")).hasSize(1);
        assertThat(bot.send("bob", "!approve 1 2")).hasSize(1);
        assertThat(bot.send("bob", "!approve 7")).containsExactly("#7 is not waiting for approval");
        assertThat(state(1)).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    @Test
    void denyWithReasonWords() {
        start(true);
        bot.send("alice", "!deploy");
        assertThat(bot.send("mallory", "!deny 1 because")).containsExactly(
                "denying deploy #1 needs role releng (you are chat:mallory)");
        assertThat(bot.send("bob", "!deny 1 not during the freeze")).containsExactly(
                "deploy #1 denied by bob: not during the freeze; it will not run");
        assertThat(state(1)).isEqualTo(OperationState.DENIED);
        assertThat(bot.send("bob", "!approve 1")).containsExactly("#1 is not waiting for approval");
        assertThat(fake.calls()).isEmpty();
        assertThat(bot.send("bob", "!ops")).containsExactly("no operations pending or running");
    }

    @Test
    void denyWithoutReasonAndByTheRequester() {
        start(true);
        bot.send("alice", "!deploy");
        bot.send("alice", "!deploy");
        assertThat(bot.send("bob", "!deny 1")).containsExactly("deploy #1 denied by bob; it will not run");
        assertThat(bot.send("alice", "!deny 2 wrong revision")).containsExactly(
                "deploy #2 denied by alice: wrong revision; it will not run");
        assertThat(state(2)).isEqualTo(OperationState.DENIED);
    }

    @Test
    void cancelAPendingOperation() {
        start(true);
        bot.send("alice", "!deploy");
        assertThat(bot.send("mallory", "!cancel 1")).containsExactly(
                "cancelling deploy #1 needs role releng or being its requester (you are chat:mallory)");
        assertThat(bot.send("alice", "!cancel 1")).containsExactly("deploy #1 cancelled by alice before it ran");
        assertThat(state(1)).isEqualTo(OperationState.CANCELLED);
        assertThat(bot.send("bob", "!approve 1")).containsExactly("#1 is not waiting for approval");
        assertThat(bot.send("alice", "!cancel 1")).containsExactly("#1 is not pending or running (see: !op 1)");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void cancelARunningOperation() throws InterruptedException {
        fake.onStep("apply", FakeExecutor.script().awaitCancel());
        start(true);
        bot.send("mallory", "!quick");
        fake.awaitRunning(2, WAIT);
        // a coalesced status is held back for a minute; let it out so the bot counts as idle at once
        ticker.advance(Duration.ofMinutes(1));
        bot.engine().tick();
        bot.settle();
        // the runner may report the cancel before the answer is queued, so the order is not asserted
        List<String> lines = sendUntil("bob", "!cancel 1", "· cancelled");
        assertThat(lines).contains("cancelling quick #1: running steps stop, completed steps roll back");
        assertThat(lines).filteredOn(l -> l.contains("· cancelled ·")).singleElement().asString()
                .startsWith("quick #1 [");
        assertThat(lines).contains("quick #1 cancelled by bob at step \"apply\" · cancelled 2 (bm01, bm02)");
        awaitInactive(1);
        assertThat(state(1)).isEqualTo(OperationState.CANCELLED);
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().detail())
                .contains("cancelled by bob").doesNotContain("cancelled by cancelled");
    }

    @Test
    void cancelOfAnUnknownOperation() {
        start(true);
        assertThat(bot.send("alice", "!cancel 42")).containsExactly("#42 is not pending or running (see: !op 42)");
    }
}
