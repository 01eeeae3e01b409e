package org.buildduty.core.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.time.Ticker;

/**
 * Feeds an operation's progress into {@link BotMetrics}: each host run's duration (timed on the injected ticker from
 * its start to its end) by executor and outcome, and the operation's final state.
 *
 * <pre>{@code
 * runner.submit(op, new CompositeSink(List.of(journalSink, new MetricsSink(metrics, ticker))));
 * }</pre>
 */
public final class MetricsSink extends ProgressSink {
    private final BotMetrics metrics;
    private final Ticker ticker;
    private final Map<String, Instant> started = new ConcurrentHashMap<>();

    public MetricsSink(BotMetrics metrics, Ticker ticker) {
        this.metrics = metrics;
        this.ticker = ticker;
    }

    @Override
    public void hostStarted(Operation op, int index, StepSpec step, String host) {
        started.put(key(op, index, step, host), ticker.now());
    }

    @Override
    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
        Instant from = started.remove(key(op, index, step, result.host()));
        Duration took = from == null ? Duration.ZERO : Duration.between(from, ticker.now());
        metrics.stepFinished(step.kind(), result.outcome(), took);
    }

    @Override
    public void operationFinished(Operation op, OperationState end, String summary) {
        metrics.operationFinished(op.kind(), end);
        started.keySet().removeIf(k -> k.startsWith(op.id().value() + "/"));
    }

    private static String key(Operation op, int index, StepSpec step, String host) {
        return op.id().value() + "/" + index + "/" + step.name() + "/" + host;
    }
}
