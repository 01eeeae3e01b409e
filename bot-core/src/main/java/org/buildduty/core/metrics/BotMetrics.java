package org.buildduty.core.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.OperationState;

/**
 * The bot's meters, named in one place, on a Micrometer {@link MeterRegistry} (Prometheus in the app, a
 * {@code SimpleMeterRegistry} in tests, nothing at all for {@link #none()}).
 *
 * <p>Tags only ever carry names the bot knows (command names from the registry, executor kinds, connector ids,
 * operation kinds from runbooks), never chat text, so a hostile message cannot add series.
 *
 * <pre>{@code
 * BotMetrics metrics = new BotMetrics(new SimpleMeterRegistry());
 * metrics.command("reconfig", BotMetrics.CommandOutcome.PLANNED);
 * metrics.connector("libera").messageSent();
 * }</pre>
 */
public final class BotMetrics {
    /** The command name counted for text that matched no command. */
    public static final String UNKNOWN_COMMAND = "(unknown)";

    /** How a command ended, as counted. */
    public enum CommandOutcome {
        /** Answered with lines. */
        REPLIED,
        /** Made an operation (run now or waiting for approval). */
        PLANNED,
        /** No such command. */
        UNKNOWN,
        /** The caller lacks the role. */
        NOT_ALLOWED,
        /** Bad options or values, answered with one line. */
        REFUSED,
        /** The journal could not record it, so nothing ran. */
        JOURNAL_FAILED,
        /** An internal error (logged with a reference). */
        ERROR;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, ConnectorMeters> connectors = new ConcurrentHashMap<>();
    /**
     * The {@code buildduty.commands} counters by command name, one per outcome (in {@link CommandOutcome} order),
     * registered on first use.
     */
    private final Map<String, AtomicReferenceArray<Counter>> commands = new ConcurrentHashMap<>();

    public BotMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Meters that record nothing (an empty composite registry). */
    public static BotMetrics none() {
        return new BotMetrics(new CompositeMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One command handled: {@code buildduty_commands_total{command, outcome}}. */
    public void command(String name, CommandOutcome outcome) {
        AtomicReferenceArray<Counter> counters = commands.computeIfAbsent(name,
                n -> new AtomicReferenceArray<>(CommandOutcome.values().length));
        Counter c = counters.get(outcome.ordinal());
        if (c == null) {
            // registering again finds the same counter: a race here costs a lookup, never a second series
            c = Counter.builder("buildduty.commands").description("Commands handled, by command and outcome")
                    .tag("command", name).tag("outcome", outcome.tag()).register(registry);
            counters.set(outcome.ordinal(), c);
        }
        c.increment();
    }

    /** An operation reached a final state: {@code buildduty_operations_finished_total{kind, state}}. */
    public void operationFinished(String kind, OperationState state) {
        Counter.builder("buildduty.operations.finished").description("Operations that ended, by kind and state")
                .tag("kind", kind).tag("state", stateTag(state)).register(registry).increment();
    }

    /**
     * Gauges {@code buildduty_operations{state}} for every live state, read from {@code counts} at each scrape (the
     * engine's operations that are pending approval, approved, running or rolling back).
     */
    public void bindLiveOperations(Supplier<Map<OperationState, Integer>> counts) {
        for (OperationState s : OperationState.values()) {
            if (s.isTerminal()) {
                continue;
            }
            Gauge.builder("buildduty.operations", counts, c -> c.get().getOrDefault(s, 0))
                    .description("Live operations, by state").tag("state", stateTag(s)).strongReference(true)
                    .register(registry);
        }
    }

    /** Counts operations by state, for {@link #bindLiveOperations}. */
    public static Map<OperationState, Integer> countByState(Iterable<OperationState> states) {
        Map<OperationState, Integer> counts = new EnumMap<>(OperationState.class);
        states.forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts;
    }

    /**
     * One host run of a step ended: {@code buildduty_step_duration_seconds{executor, outcome}}; a failed or timed-out
     * run also counts in {@code buildduty_executor_errors_total{executor, outcome}}.
     */
    public void stepFinished(String executorKind, StepOutcome outcome, Duration took) {
        String o = outcome.name().toLowerCase(Locale.ROOT);
        Timer.builder("buildduty.step.duration").description("Duration of one step on one host")
                .tag("executor", executorKind).tag("outcome", o).register(registry).record(took);
        if (outcome == StepOutcome.FAILED || outcome == StepOutcome.TIMED_OUT) {
            Counter.builder("buildduty.executor.errors").description("Host runs that failed or timed out")
                    .tag("executor", executorKind).tag("outcome", o).register(registry).increment();
        }
    }

    /** An approval event: {@code buildduty_approvals_total{outcome}} (requested, approved, denied, expired). */
    public void approval(ApprovalRecord.Kind kind) {
        Counter.builder("buildduty.approvals").description("Approval requests and their outcomes")
                .tag("outcome", kind.name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    /** The meters of one connector. */
    public ConnectorMeters connector(String id) {
        return connectors.computeIfAbsent(id, k -> new MicrometerConnectorMeters(registry, k));
    }

    /** The tag value of a state: lower case, e.g. {@code pending_approval}. */
    static String stateTag(OperationState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
