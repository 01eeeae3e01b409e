package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.ServiceException;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.ApprovalRecheck;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.JournalWriter;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

class EngineTest {
    /** The room TestBot talks in: approvals count there. */
    private static final ChatAddress HERE = TestBot.ROOM_ADDRESS;

    private final FakeExecutor fake = new FakeExecutor("fake");
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    static StepSpec step(String name, List<String> hosts, StepSpec rollback) {
        return new StepSpec(name, "fake", Map.of("command", "true"), hosts, 2, null, null, OnHostFailure.STOP,
                rollback);
    }

    static OperationPlan plan(String kind, ApprovalPolicy policy) {
        StepSpec undo = step("undo", List.of(), null);
        return new OperationPlan(kind, Map.of("target", "bm01"),
                List.of(step("prepare", List.of(), undo), step("apply", List.of("bm01", "bm02"), null)), policy,
                "hosts");
    }

    /** The commit a pull request's ref points at, as the "pr" command's recheck sees it. */
    static final AtomicReference<String> PR_HEAD = new AtomicReference<>("abc1234");

    static Optional<ApprovalRecheck.Replan> unreachable() {
        throw new ServiceException("git ls-remote: the repository is not reachable");
    }

    static OperationPlan prPlan(String sha) {
        return new OperationPlan("pr", Map.of("sha", sha), List.of(step("build", List.of(), null)),
                ApprovalPolicy.of("releng", 1), "steps");
    }

    static void commands(CommandRules r) {
        r.register(CommandSpec.builder("quick").summary("runs at once").handler(c -> Outcome.planned(
                plan("quick", ApprovalPolicy.NONE))).build());
        r.register(CommandSpec.builder("deploy").summary("needs one approval").role("releng").handler(c ->
                Outcome.planned(plan("deploy", ApprovalPolicy.of("releng", 1)))).build());
        r.register(CommandSpec.builder("twice").summary("needs two approvals").role("releng").handler(c ->
                Outcome.planned(plan("twice", ApprovalPolicy.of("releng", 2)))).build());
        r.register(CommandSpec.builder("mine").summary("self approval allowed").role("releng").handler(c ->
                Outcome.planned(plan("mine", new ApprovalPolicy("releng", 1, true, Duration.ofMinutes(15)))))
                .build());
        r.register(CommandSpec.builder("pr").summary("runs the commit the ref points at").role("releng")
                .handler(c -> Outcome.planned(prPlan(PR_HEAD.get())))
                .recheck(approved -> PR_HEAD.get().isEmpty() ? unreachable()
                        : approved.params().get("sha").equals(PR_HEAD.get()) ? Optional.empty()
                        : Optional.of(new ApprovalRecheck.Replan("the ref moved from " + approved.params().get("sha")
                                + " to " + PR_HEAD.get() + " since the request", prPlan(PR_HEAD.get()))))
                .build());
        r.register(CommandSpec.builder("say").summary("a value with a space and an equals sign").role("releng")
                .handler(c -> Outcome.planned(new OperationPlan("say", new LinkedHashMap<>(Map.of(
                        "msg", "a b=c")), List.of(step("say", List.of(), null)), ApprovalPolicy.of("releng", 1),
                        "steps"))).build());
        r.register(CommandSpec.builder("boom").summary("a bug").handler(c -> {
            throw new IllegalStateException("internal detail /etc/secret");
        }).build());
        r.register(CommandSpec.builder("echo").summary("echo").positional("words", 0, 5)
                .handler(c -> Outcome.reply(String.join(" ", c.args().positionals()))).build());
    }

    private TestBot start(InMemoryJournal journal, FakeTicker ticker) {
        bot = TestBot.builder().journal(journal).ticker(ticker).commands(EngineTest::commands).executor(fake)
                .role("releng", "alice", "bob", "carol").build();
        return bot;
    }

    private TestBot start() {
        return start(new InMemoryJournal(), new FakeTicker());
    }

    @Test
    void servicesHaveResumedBeforeAnyConnectorCanDeliverAMessage() {
        // A command typed at once (the console reads stdin as soon as it starts) must find the services resumed
        // from the journal: `maintenance` answered "not running yet" when the connector started first.
        FakeTicker ticker = new FakeTicker();
        FakeConnector chat = new FakeConnector("chat", Capabilities.terminal(), ticker);
        AtomicReference<Boolean> chatStartedFirst = new AtomicReference<>();
        BotService service = new BotService() {
            @Override
            public String name() {
                return "probe";
            }

            @Override
            public void start(BotApi api) {
                chatStartedFirst.set(chat.started());
            }

            @Override
            public void tick() {
            }

            @Override
            public void close() {
            }
        };
        try (Engine engine = Engine.builder().connector(chat).registry(new CommandRegistry())
                .authorizer(new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of()), true))
                .journal(new InMemoryJournal()).runner(Runner.builder().ticker(ticker).build()).ticker(ticker)
                .service(service).build()) {
            engine.start();
            assertThat(chatStartedFirst.get()).as("the connector was started before the service").isFalse();
            assertThat(chat.started()).isTrue();
        }
    }

    @Test
    void servicesAndCommandsGetAViewBuiltFromTheEnginesPartsNotTheEngine() {
        FakeTicker ticker = new FakeTicker();
        FakeConnector chat = new FakeConnector("chat", Capabilities.terminal(), ticker);
        AtomicReference<BotApi> serviceGot = new AtomicReference<>();
        AtomicReference<BotApi> commandGot = new AtomicReference<>();
        CommandRegistry registry = new CommandRegistry().register(CommandSpec.builder("probe").summary("probe")
                .handler(c -> {
                    commandGot.set(c.bot());
                    return Outcome.reply("ok");
                }).build());
        BotService service = new BotService() {
            @Override
            public String name() {
                return "probe";
            }

            @Override
            public void start(BotApi api) {
                serviceGot.set(api);
            }

            @Override
            public void tick() {
            }

            @Override
            public void close() {
            }
        };
        try (Engine engine = Engine.builder().connector(chat).registry(registry)
                .authorizer(new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of()), true))
                .journal(new InMemoryJournal()).runner(Runner.builder().ticker(ticker).build()).ticker(ticker)
                .service(service).build()) {
            engine.start();
            engine.handle(chat.message("alice", "#ops", "!probe"));
            assertThat(List.<Object>of(serviceGot.get(), commandGot.get(), serviceGot.get().announcer()))
                    .as("what services and commands get").doesNotContainNull().allSatisfy(got ->
                            assertThat(got).isNotSameAs(engine));
            assertThat(commandGot.get()).isSameAs(serviceGot.get());
            assertThat(commandGot.get().history()).as("the history commands read cannot be cast to the writes")
                    .isNotInstanceOf(JournalWriter.class);
        }
    }

    @Test
    void theEngineTickIsTheOneTimerOfItsRunner() throws Exception {
        FakeTicker ticker = new FakeTicker();
        fake.byDefault(FakeExecutor.script().awaitCancel());
        Runner runner = Runner.builder().executor(fake).ticker(ticker).timerPeriod(Duration.ofMillis(5)).build();
        try (Engine engine = Engine.builder().connector(new FakeConnector("chat", Capabilities.terminal(), ticker))
                .registry(new CommandRegistry())
                .authorizer(new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of()), true))
                .journal(new InMemoryJournal()).runner(runner).ticker(ticker).build()) {
            StepSpec slow = new StepSpec("slow", "fake", Map.of(), List.of("bm01"), 1, Duration.ofMinutes(1), null,
                    OnHostFailure.STOP, null);
            Operation op = new Operation(new OperationId(1), new OperationPlan("demo", Map.of(), List.of(slow),
                    ApprovalPolicy.NONE, "hosts"), Identity.parse("chat:alice"), ChatAddress.of("chat", "#ops"),
                    ticker.now(), OperationState.QUEUED);
            CompletableFuture<OperationState> end = runner.submit(op, null);
            fake.awaitRunning(1, Duration.ofSeconds(5));

            ticker.advance(Duration.ofMinutes(1));
            Thread.sleep(100); // twenty periods of the timer the runner was built with

            assertThat(end).as("only the engine's tick checks the runner's timeouts").isNotDone();
            engine.tick();
            assertThat(end.get(5, TimeUnit.SECONDS)).isEqualTo(OperationState.FAILED);
        }
    }

    @Test
    void answersOnlyWhenAddressed() {
        start();
        assertThat(bot.send("alice", "just chatting about echo")).isEmpty();
        assertThat(bot.send("alice", "!echo hi there")).containsExactly("hi there");
        assertThat(bot.send("alice", "buildduty: echo a")).containsExactly("a");
        assertThat(bot.send("alice", "BuildDuty, echo b")).containsExactly("b");
        assertThat(bot.send("alice", "!!echo c")).isEmpty();
    }

    @Test
    void connectionChangesAreJournaledWithTheDroppedLineCount() {
        start();
        bot.engine().onEvent(new ConnectionChanged("chat", ConnectionChanged.State.RECONNECTING, "reset", 0));
        bot.engine().onEvent(new ConnectionChanged("chat", ConnectionChanged.State.CONNECTED,
                "back; 3 queued lines were dropped while disconnected", 3));
        assertThat(bot.journal().connectorEvents(10)).extracting(ConnectorEventRecord::state,
                ConnectorEventRecord::droppedLines).containsExactly(
                        tuple(ConnectionChanged.State.CONNECTED, 3L), tuple(ConnectionChanged.State.RECONNECTING, 0L));
    }

    @Test
    void unknownCommandSuggestsTheClosestOne() {
        start();
        assertThat(bot.send("alice", "!deplyo")).singleElement().asString()
                .contains("unknown command").contains("\"deploy\"");
    }

    @Test
    void aCommandOfAServiceNotConfiguredSaysWhichKeyEnablesIt() {
        String line = "mbs is not configured on this bot: add services.mbs (url, ...) to the configuration";
        bot = TestBot.builder().commands(EngineTest::commands).executor(fake).role("releng", "alice")
                .commands(r -> ((CommandRegistry) r).notConfigured("mbs", line).notConfigured("deploy", "never"))
                .build();
        assertThat(bot.send("alice", "!mbs watch 570")).containsExactly(line);
        assertThat(bot.send("alice", "!MBS")).containsExactly(line);
        // a real command of that name wins; other unknown commands are unknown as before
        assertThat(bot.send("alice", "!deploy --help")).noneMatch(l -> l.contains("never"));
        assertThat(bot.send("alice", "!mbss")).singleElement().asString().startsWith("unknown command \"mbss\"");
    }

    @Test
    void theApprovalPromptQuotesAValueThatWouldReadAsTwoParameters() {
        start();
        assertThat(bot.send("alice", "!say")).singleElement().asString()
                .startsWith("say #1 by alice: msg='a b=c' — approve with \"!approve 1\"");
    }

    @Test
    void refusesWithoutRoleAndNamesTheRole() {
        start();
        assertThat(bot.send("mallory", "!deploy")).singleElement().asString()
                .isEqualTo("not allowed: deploy needs role releng (you are chat:mallory)");
        assertThat(bot.journal().recent(10, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void hostileInputGetsOneClearLine() {
        start();
        assertThat(bot.send("alice", "!echo 'unterminated")).hasSize(1);
        assertThat(bot.send("alice", "!echo a\nquit")).singleElement().asString().contains("newline");
        assertThat(bot.send("alice", "!echo $(touch /tmp/x) `id` ; rm")).containsExactly("$(touch /tmp/x) `id` ; rm");
        assertThat(bot.send("alice", "!echo " + "x".repeat(10_000))).singleElement().asString()
                .contains("too long");
    }

    @Test
    void internalErrorsNeverReachChat() {
        start();
        List<String> out = bot.send("alice", "!boom");
        assertThat(out).singleElement().asString().startsWith("internal error (ref E")
                .doesNotContain("secret").doesNotContain("Exception");
    }

    @Test
    void unapprovedOperationRunsAndReportsItsEnd() {
        start();
        List<String> out = bot.send("alice", "!quick");
        assertThat(out.get(0)).startsWith("quick #1 started: target=bm01");
        List<String> rest = bot.awaitLine("2/2 hosts · succeeded", Duration.ofSeconds(10));
        assertThat(String.join("\n", rest)).contains("quick #1 [############] 2/2 hosts");
        assertThat(fake.hostsCalled()).containsExactlyInAnyOrder(null, "bm01", "bm02");
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().state())
                .isEqualTo(OperationState.SUCCEEDED);
    }

    @Test
    void inAChatWithThreadsAnOperationReportsInItsOwnThreadWithItsStatusEditedInPlace() {
        bot = TestBot.builder().capabilities(new Capabilities(true, true, 10_000, 10, Duration.ofSeconds(1), false))
                .commands(EngineTest::commands).executor(fake).role("releng", "alice", "bob").build();
        List<String> out = bot.send("alice", "!deploy");
        assertThat(out).hasSize(2);
        assertThat(out.get(1)).startsWith("deploy #1 by alice: target=bm01 — approve with");
        ChatAddress thread = ChatAddress.of(TestBot.CHAT, TestBot.ROOM).inThread("deploy #1");
        assertThat(bot.chat().sent()).extracting(FakeConnector.Sent::to, FakeConnector.Sent::text).containsExactly(
                tuple(thread, "deploy #1 requested by alice: target=bm01"),
                tuple(ChatAddress.of(TestBot.CHAT, TestBot.ROOM), out.get(1)));
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().origin()).isEqualTo(thread);

        assertThat(bot.api().approve(new OperationId(1), id("bob"), HERE))
                .isEqualTo("deploy #1 approved by bob; running");
        bot.awaitLine("succeeded", Duration.ofSeconds(10));
        List<FakeConnector.Sent> inThread = bot.chat().sent().stream().filter(s -> thread.equals(s.to())).toList();
        assertThat(inThread).filteredOn(m -> m.editOf() != null).extracting(FakeConnector.Sent::text)
                .as("the status message is edited to the final state").anyMatch(t -> t.contains("succeeded"));
        assertThat(bot.chat().sent()).filteredOn(s -> s.to().thread() == null)
                .extracting(FakeConnector.Sent::text).noneMatch(t -> t.contains("deploy #1 ["));
    }

    @Test
    void approvalRequestSaysWhatRunsWhoMayApproveAndWhenItExpires() {
        start();
        List<String> out = bot.send("alice", "!deploy");
        assertThat(out).singleElement().asString().isEqualTo("deploy #1 by alice: target=bm01 — approve with "
                + "\"!approve 1\" (1 of role releng, not alice; expires 10:15Z) · steps: 1) prepare 2) apply on 2");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void anApprovedPlanWhosePremiseMovedDoesNotRunAndIsAskedForAgain() {
        start();
        PR_HEAD.set("abc1234");
        bot.send("alice", "!pr");
        PR_HEAD.set("def5678");
        String answer = bot.api().approve(new OperationId(1), id("bob"), HERE);
        assertThat(answer.split("\n")).hasSize(3);
        assertThat(answer).startsWith("pr #1 approved by bob, but not run: the ref moved from abc1234 to def5678 "
                + "since the request\nasking again:\npr #2 by alice: sha=def5678 — approve with \"!approve 2\"");
        assertThat(fake.calls()).isEmpty();
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().state())
                .isEqualTo(OperationState.CANCELLED);
        assertThat(bot.journal().operation(new OperationId(2)).orElseThrow().state())
                .isEqualTo(OperationState.PENDING_APPROVAL);

        assertThat(bot.api().approve(new OperationId(2), id("bob"), HERE)).isEqualTo("pr #2 approved by bob; running");
        bot.awaitLine("pr #2 [############] 1/1 steps · succeeded", Duration.ofSeconds(10));
        assertThat(fake.calls()).hasSize(1);

        bot.send("alice", "!pr");
        PR_HEAD.set("");
        assertThat(bot.api().approve(new OperationId(3), id("bob"), HERE)).isEqualTo("pr #3 approved by bob, but not "
                + "run: cannot check it before running: git ls-remote: the repository is not reachable");
        assertThat(bot.journal().operation(new OperationId(3)).orElseThrow().state())
                .isEqualTo(OperationState.CANCELLED);
        assertThat(fake.calls()).hasSize(1);
    }

    @Test
    void selfApprovalIsRefusedUnlessThePolicyAllowsIt() {
        start();
        bot.send("alice", "!deploy");
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1),
                id("alice"), HERE)).hasMessageContaining("someone else with role releng must approve it");
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1),
                id("mallory"), HERE)).hasMessageContaining("needs role releng");
        assertThat(fake.calls()).isEmpty();
        assertThat(bot.api().approve(new OperationId(1), id("bob"), HERE))
                .isEqualTo("deploy #1 approved by bob; running");
        bot.awaitLine("deploy #1 [############] 2/2 hosts · succeeded", Duration.ofSeconds(10));

        bot.send("alice", "!mine");
        assertThat(bot.api().approve(new OperationId(2), id("alice"), HERE)).contains("approved by alice");
        bot.awaitLine("mine #2 [############] 2/2 hosts · succeeded", Duration.ofSeconds(10));
    }

    @Test
    void twoApprovalsFromDistinctIdentities() {
        start();
        bot.send("alice", "!twice");
        assertThat(bot.api().approve(new OperationId(1), id("bob"), HERE))
                .startsWith("twice #1: approval by bob counted "
                + "(1 of 2");
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1), id("bob"), HERE))
                .hasMessageContaining("already approved");
        assertThat(fake.calls()).isEmpty();
        assertThat(bot.api().approve(new OperationId(1), id("carol"), HERE)).contains("approved by bob, carol");
        bot.awaitLine("twice #1 [############] 2/2 hosts · succeeded", Duration.ofSeconds(10));
    }

    @Test
    void denyEndsTheRequest() {
        start();
        bot.send("alice", "!deploy");
        assertThat(bot.api().deny(new OperationId(1), id("bob"), "not during the freeze", HERE))
                .isEqualTo("deploy #1 denied by bob: not during the freeze; it will not run");
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1),
                id("carol"), HERE)).hasMessageContaining("not waiting for approval");
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().state())
                .isEqualTo(OperationState.DENIED);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void expiredRequestNeverRuns() {
        start();
        bot.send("alice", "!deploy");
        bot.ticker().advance(Duration.ofMinutes(14));
        bot.engine().tick();
        assertThat(bot.settle()).isEmpty();
        bot.ticker().advance(Duration.ofMinutes(1));
        bot.engine().tick();
        assertThat(bot.settle()).containsExactly("deploy #1 expired: no approval by 10:15Z; it will not run");
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1), id("bob"), HERE))
                .hasMessageContaining("not waiting for approval");
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().state())
                .isEqualTo(OperationState.EXPIRED);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void approvalArrivingAfterExpiryExpiresInstead() {
        start();
        bot.send("alice", "!deploy");
        bot.ticker().advance(Duration.ofMinutes(16));
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1), id("bob"), HERE))
                .hasMessageContaining("expired");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void cancelOfARunningOperationRollsBack() {
        fake.onStep("apply", FakeExecutor.script().awaitCancel());
        start();
        bot.send("alice", "!quick");
        fake.awaitRunning(2, Duration.ofSeconds(10));
        bot.settle();
        assertThat(bot.send("mallory", "!echo x")).containsExactly("x");
        assertThatThrownBy(() -> bot.api().cancel(new OperationId(1),
                id("mallory"))).hasMessageContaining("needs role releng or being its requester");
        assertThat(bot.api().cancel(new OperationId(1), id("alice"))).startsWith("cancelling quick #1");
        List<String> lines = bot.awaitLine("quick #1 cancelled", Duration.ofSeconds(10));
        assertThat(String.join("\n", lines)).contains("#1 rolling back step 1 (undo)");
        assertThat(fake.calls().stream().map(FakeExecutor.Call::step).toList()).contains("undo");
    }

    /** Hosts whose cancelled command could not be stopped are named in the room, in one line. */
    @Test
    void aCancelledCommandThatCouldNotBeStoppedIsNamedInTheRoom() {
        fake.onStep("apply", FakeExecutor.script().awaitCancel().notStopped("connection lost"));
        start();
        bot.send("alice", "!quick");
        fake.awaitRunning(2, Duration.ofSeconds(10));
        bot.settle();

        bot.api().cancel(new OperationId(1), id("alice"));

        List<String> lines = bot.awaitLine("could not stop", Duration.ofSeconds(10));
        assertThat(lines).filteredOn(l -> l.contains("could not stop")).containsExactly(
                "#1 could not stop the command on bm01, bm02 (connection lost): check those hosts");
        assertThat(String.join("\n", lines)).contains("quick #1 cancelled by alice");
    }

    @Test
    void journalFailureRefusesTheCommand() {
        InMemoryJournal journal = new InMemoryJournal();
        start(journal, new FakeTicker());
        journal.failWrites(true);
        assertThat(bot.send("alice", "!quick")).singleElement().asString()
                .startsWith("refused: the journal cannot record it").endsWith("nothing was run");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void restartReportsInterruptedOperationsAndNeverReRunsThem() {
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        OperationId id = journal.nextOperationId();
        Operation op = new Operation(id, plan("deploy", ApprovalPolicy.NONE), id("alice"),
                ChatAddress.of(TestBot.CHAT, TestBot.ROOM), ticker.now(), OperationState.RUNNING);
        journal.operationCreated(op);
        journal.hostStarted(id, 0, "prepare", null, false, ticker.now());
        journal.hostFinished(id, 0, false, StepResult.succeeded(null, 0, "ok"), ticker.now());
        journal.hostStarted(id, 1, "apply", "bm01", false, ticker.now());

        start(journal, ticker);
        List<String> out = bot.settle();
        assertThat(out).singleElement().asString().startsWith("deploy #1 interrupted: the bot restarted while it was "
                + "running; completed: step 1 prepare (1/1 ok), step 2 apply (0/2 ok, 1 cut off)");
        OperationRecord rec = journal.operation(id).orElseThrow();
        assertThat(rec.state()).isEqualTo(OperationState.INTERRUPTED);
        assertThat(fake.calls()).isEmpty();
        assertThat(bot.send("alice", "!quick").get(0)).startsWith("quick #2 ");
    }

    @Test
    void aTakeoverSaysWhoFailedOverInsteadOfARestart() {
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        OperationId id = journal.nextOperationId();
        journal.operationCreated(new Operation(id, plan("deploy", ApprovalPolicy.NONE), id("alice"),
                ChatAddress.of(TestBot.CHAT, TestBot.ROOM), ticker.now(), OperationState.RUNNING));
        journal.hostStarted(id, 0, "prepare", null, false, ticker.now());

        bot = TestBot.builder().journal(journal).ticker(ticker).commands(EngineTest::commands).executor(fake)
                .role("releng", "alice", "bob", "carol").restartCause("the bot failed over from bd-a").build();
        assertThat(bot.settle()).singleElement().asString().startsWith("deploy #1 interrupted: the bot failed over "
                + "from bd-a while it was running; completed: step 1 prepare (0/1 ok, 1 cut off)");
        assertThat(journal.operation(id).orElseThrow().detail()).startsWith("the bot failed over from bd-a");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void restartKeepsPendingApprovalsWithTheirExpiry() {
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        start(journal, ticker);
        bot.send("alice", "!twice");
        bot.api().approve(new OperationId(1), id("bob"), HERE);
        bot.close();

        ticker.advance(Duration.ofMinutes(5));
        start(journal, ticker);
        assertThat(bot.api().pendingApproval(new OperationId(1)).orElseThrow().expiresAt())
                .isEqualTo(Instant.parse("2026-11-21T10:15:00Z"));
        assertThatThrownBy(() -> bot.api().approve(new OperationId(1), id("bob"), HERE))
                .hasMessageContaining("already approved");
        assertThat(bot.api().approve(new OperationId(1), id("carol"), HERE)).contains("approved by bob, carol");
        bot.awaitLine("twice #1 [############] 2/2 hosts · succeeded", Duration.ofSeconds(10));
    }

    @Test
    void restartExpiresRequestsWhoseTimePassedWhileDown() {
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        start(journal, ticker);
        bot.send("alice", "!deploy");
        bot.close();
        ticker.advance(Duration.ofHours(1));
        start(journal, ticker);
        bot.engine().tick();
        assertThat(bot.settle()).containsExactly("deploy #1 expired: no approval by 10:15Z; it will not run");
        assertThat(fake.calls()).isEmpty();
    }

    private static Identity id(String principal) {
        return new Identity(TestBot.CHAT, principal);
    }
}
