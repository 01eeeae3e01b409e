package org.buildduty.connectors.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.time.Ticker;

/**
 * A whole bot on one real connector and a given journal, with two commands: {@code deploy} (an operation of one step
 * on the {@link FakeExecutor}, no approval) and {@code ping} (answers {@code pong}). A test closes it and starts
 * another on the same journal, as a restart or a standby taking over does.
 *
 * <pre>{@code
 * CommandBot bot = CommandBot.start(matrixConnector, journal, ticker, fake);
 * }</pre>
 */
public final class CommandBot implements AutoCloseable {
    private final Engine engine;

    private CommandBot(Engine engine) {
        this.engine = engine;
    }

    /** Builds and starts the engine; the connector starts with it. */
    public static CommandBot start(Connector chat, Journal journal, Ticker ticker, FakeExecutor executor) {
        CommandRegistry registry = new CommandRegistry();
        StepSpec step = new StepSpec("apply", executor.kind(), Map.of("command", "true"), List.of(), 1, null, null,
                OnHostFailure.STOP, null);
        registry.register(CommandSpec.builder("deploy").summary("one step").handler(c -> Outcome.planned(
                new OperationPlan("deploy", Map.of(), List.of(step), ApprovalPolicy.NONE, "steps"))).build());
        registry.register(CommandSpec.builder("ping").summary("pong").handler(c -> Outcome.reply("pong")).build());
        Runner runner = Runner.builder().ticker(ticker).timerPeriod(Duration.ZERO).closeGrace(Duration.ofSeconds(2))
                .executor(executor).build();
        Engine engine = Engine.builder().connector(chat).registry(registry)
                .authorizer(new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of()), true))
                .journal(journal).runner(runner).ticker(ticker).build();
        engine.start();
        return new CommandBot(engine);
    }

    public Engine engine() {
        return engine;
    }

    /** Polls (with the engine's ticks) until {@code condition} holds, or fails after {@code max}. */
    public void await(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + max + ": " + what);
            }
            engine.tick();
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
