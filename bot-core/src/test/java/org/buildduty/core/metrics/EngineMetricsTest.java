package org.buildduty.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.pipeline.Health;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.TestBot;

/** What the engine counts: commands, approvals, operations, step durations and errors, connector health. */
class EngineMetricsTest {
    /** The room TestBot talks in: approvals count there. */
    private static final ChatAddress HERE = TestBot.ROOM_ADDRESS;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final FakeExecutor fake = new FakeExecutor("fake");
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private static OperationPlan plan(String kind, ApprovalPolicy policy) {
        StepSpec apply = new StepSpec("apply", "fake", Map.of("command", "true"), List.of("bm01", "bm02"), 2, null,
                null, OnHostFailure.CONTINUE, null);
        return new OperationPlan(kind, Map.of(), List.of(apply), policy, "hosts");
    }

    private static void commands(CommandRules r) {
        r.register(CommandSpec.builder("quick").summary("runs at once")
                .handler(c -> Outcome.planned(plan("quick", ApprovalPolicy.NONE))).build());
        r.register(CommandSpec.builder("deploy").summary("needs approval").role("releng")
                .handler(c -> Outcome.planned(plan("deploy", ApprovalPolicy.of("releng", 1)))).build());
        r.register(CommandSpec.builder("echo").summary("echo").positional("words", 1, 2)
                .handler(c -> Outcome.reply(String.join(" ", c.args().positionals()))).build());
        r.register(CommandSpec.builder("boom").summary("a bug").handler(c -> {
            throw new IllegalStateException("bug");
        }).build());
    }

    private TestBot start() {
        bot = TestBot.builder().commands(EngineMetricsTest::commands).executor(fake)
                .role("releng", "alice", "bob").anonymous(true).metrics(new BotMetrics(registry)).build();
        return bot;
    }

    private static Identity who(String principal) {
        return new Identity(TestBot.CHAT, principal);
    }

    /** Waits (real time, briefly) for the runner's thread to finish the operation. */
    private void awaitFinished(String kind, String state) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (registry.find("buildduty.operations.finished").tag("kind", kind).tag("state", state).counter() == null
                && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    private double commands(String name, String outcome) {
        return registry.get("buildduty.commands").tag("command", name).tag("outcome", outcome).counter().count();
    }

    @Test
    void countsCommandsByNameAndOutcomeWithoutChatTextInTags() {
        start();
        bot.send("alice", "!echo hi");
        bot.send("alice", "!echo");
        bot.send("alice", "!echo a b c");
        bot.send("alice", "!rm -rf /");
        bot.send("alice", "!boom");
        bot.send("mallory", "!deploy");

        assertThat(commands("echo", "replied")).isEqualTo(1);
        assertThat(commands("echo", "refused")).isEqualTo(2);
        assertThat(commands(BotMetrics.UNKNOWN_COMMAND, "unknown")).isEqualTo(1);
        assertThat(commands("boom", "error")).isEqualTo(1);
        assertThat(commands("deploy", "not_allowed")).isEqualTo(1);
        assertThat(registry.find("buildduty.commands").tag("command", "rm").counter()).isNull();
    }

    @Test
    void countsApprovalsOperationsAndStepDurationsOnTheInjectedClock() throws InterruptedException {
        start();
        fake.on("apply", "bm01", FakeExecutor.script().await("slow").succeed());
        fake.on("apply", "bm02", FakeExecutor.script().fail(3));
        bot.send("alice", "!deploy");
        assertThat(registry.get("buildduty.operations").tag("state", "pending_approval").gauge().value())
                .isEqualTo(1);
        bot.api().approve(new OperationId(1), who("bob"), HERE);
        fake.awaitCall("bm02", Duration.ofSeconds(10));
        fake.awaitRunning(1, Duration.ofSeconds(10));
        assertThat(registry.get("buildduty.operations").tag("state", "running").gauge().value()).isEqualTo(1);
        bot.ticker().advance(Duration.ofSeconds(42));
        fake.release("slow");
        awaitFinished("deploy", "failed");

        assertThat(registry.get("buildduty.approvals").tag("outcome", "requested").counter().count()).isEqualTo(1);
        assertThat(registry.get("buildduty.approvals").tag("outcome", "approved").counter().count()).isEqualTo(1);
        assertThat(commands("deploy", "planned")).isEqualTo(1);
        Timer ok = registry.get("buildduty.step.duration").tag("executor", "fake").tag("outcome", "succeeded")
                .timer();
        assertThat(ok.count()).isEqualTo(1);
        assertThat(ok.totalTime(TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(registry.get("buildduty.executor.errors").tag("executor", "fake").tag("outcome", "failed")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("buildduty.operations.finished").tag("kind", "deploy").tag("state", "failed")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("buildduty.operations").tag("state", "running").gauge().value()).isZero();
    }

    @Test
    void countsDeniedAndExpiredRequestsAsFinishedOperations() {
        start();
        bot.send("alice", "!deploy");
        bot.api().deny(new OperationId(1), who("bob"), "not today", HERE);
        bot.send("alice", "!deploy");
        bot.ticker().advance(Duration.ofHours(1));
        bot.engine().tick();
        bot.settle();

        assertThat(registry.get("buildduty.approvals").tag("outcome", "denied").counter().count()).isEqualTo(1);
        assertThat(registry.get("buildduty.approvals").tag("outcome", "expired").counter().count()).isEqualTo(1);
        assertThat(registry.get("buildduty.operations.finished").tag("kind", "deploy").tag("state", "denied")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("buildduty.operations.finished").tag("kind", "deploy").tag("state", "expired")
                .counter().count()).isEqualTo(1);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void healthFollowsTheJournalAndEachConnectorsBudget() {
        start();
        String id = bot.chat().id();
        Health.Report starting = bot.engine().health();
        assertThat(starting.ok()).isTrue();
        assertThat(starting.connectors()).containsEntry(id, "reconnecting");

        bot.engine().onEvent(new ConnectionChanged(id, ConnectionChanged.State.CONNECTED, "joined"));
        assertThat(bot.engine().health().ok()).isTrue();

        bot.engine().onEvent(new ConnectionChanged(id, ConnectionChanged.State.RECONNECTING, "ping timeout"));
        bot.ticker().advance(Duration.ofMinutes(4));
        bot.engine().onEvent(new ConnectionChanged(id, ConnectionChanged.State.RECONNECTING, "refused"));
        assertThat(bot.engine().health().ok()).isTrue();
        bot.ticker().advance(Duration.ofMinutes(2));
        Health.Report late = bot.engine().health();
        assertThat(late.ok()).isFalse();
        assertThat(late.problems()).containsExactly(
                id + ": reconnecting for 360 s, over its budget of 300 s (refused)");

        bot.engine().onEvent(new ConnectionChanged(id, ConnectionChanged.State.CONNECTED, "joined"));
        assertThat(bot.engine().health().ok()).isTrue();
        assertThat(registry.get("buildduty.connector.reconnects").tag("connector", id).counter().count())
                .isEqualTo(1);

        bot.journal().failWrites(true);
        assertThat(bot.engine().health().problems()).singleElement().asString().startsWith("journal: ");
        bot.journal().failWrites(false);
        bot.engine().onEvent(new ConnectionChanged(id, ConnectionChanged.State.FAILED, "SASL refused"));
        assertThat(bot.engine().health().problems()).containsExactly(id + ": failed (SASL refused)");
    }
}
