package org.buildduty.core.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.time.Ticker;

/**
 * Writes every progress event of an operation to a {@link JournalWriter}, stamped with the injected {@link Ticker}.
 *
 * <p>{@code operationStarted} records {@link OperationState#RUNNING}; host starts and finishes become host runs;
 * output lines are journaled as they come (with the values a host run kept, which the steps after a confirm step need
 * after a restart); the first {@code rollbackStarted} of an operation records
 * {@link OperationState#ROLLING_BACK}, and host runs between {@code rollbackStarted} and {@code rollbackFinished} of
 * a step are journaled as rollback runs; {@code operationFinished} records the terminal state with the summary as
 * its detail. Text that may carry output (output lines, a host run's reason and last line, the summary) passes the
 * {@link Redactor} first.
 *
 * <p>As a {@link ProgressSink} it never throws: a journal failure is logged and counted in {@link #failures()}.
 * Callers that must refuse work when the journal is broken check {@link JournalWriter#checkWritable()} before they
 * start.
 *
 * <pre>{@code
 * JournalSink sink = new JournalSink(journal, Ticker.system());
 * runner.run(op, sink);
 * }</pre>
 */
public final class JournalSink extends ProgressSink {
    private static final Logger LOG = LoggerFactory.getLogger(JournalSink.class);
    private static final String OUTPUT = "output";
    private static final long OUTPUT_FAILURES_PER_LOG_LINE = 1000;

    private final JournalWriter journal;
    private final Ticker ticker;
    private final Redactor redactor;
    private final AtomicLong failures = new AtomicLong();
    /** Per operation, the step indexes whose rollback is running now. */
    private final Map<OperationId, Set<Integer>> rollingBack = new ConcurrentHashMap<>();
    /** Operations whose ROLLING_BACK state has been written (once per operation). */
    private final Set<OperationId> announced = ConcurrentHashMap.newKeySet();

    public JournalSink(JournalWriter journal, Ticker ticker) {
        this(journal, ticker, Redactor.NONE);
    }

    /**
     * A sink that replaces configured secrets in output lines, host runs' reasons and last lines, and summaries before
     * they are written.
     */
    public JournalSink(JournalWriter journal, Ticker ticker, Redactor redactor) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /** How many journal writes have failed since this sink was made. */
    public long failures() {
        return failures.get();
    }

    @Override
    public void operationStarted(Operation op) {
        Instant at = ticker.now();
        write(op, "state running", () -> journal.operationState(op.id(), OperationState.RUNNING, at, ""));
    }

    @Override
    public void hostStarted(Operation op, int index, StepSpec step, String host) {
        Instant at = ticker.now();
        boolean rollback = inRollback(op.id(), index);
        write(op, "host start", () -> journal.hostStarted(op.id(), index, step.name(), host, rollback, at));
    }

    @Override
    public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
        Instant at = ticker.now();
        write(op, OUTPUT, () -> journal.output(op.id(), index, host, stream, redactor.redact(line), at));
    }

    @Override
    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
        Instant at = ticker.now();
        boolean rollback = inRollback(op.id(), index);
        StepResult redacted = new StepResult(result.outcome(), result.host(), result.exitCode(),
                redactor.redact(result.reason()), redactor.redact(result.lastLine()), redactKept(result.kept()));
        write(op, "host finish", () -> journal.hostFinished(op.id(), index, rollback, redacted, at));
    }

    /** The failed attempt is journaled as a host run of its own; the retry starts another. */
    @Override
    public void hostRetrying(Operation op, int index, StepSpec step, StepResult failed, int retry, int of,
            Duration delay) {
        hostFinished(op, index, step, failed);
    }

    @Override
    public void rollbackStarted(Operation op, int index, StepSpec rollback) {
        Instant at = ticker.now();
        rollingBack.computeIfAbsent(op.id(), k -> ConcurrentHashMap.newKeySet()).add(index);
        if (announced.add(op.id())) {
            write(op, "state rolling back",
                    () -> journal.operationState(op.id(), OperationState.ROLLING_BACK, at, ""));
        }
    }

    @Override
    public void rollbackFinished(Operation op, int index, StepSpec rollback,
            StepOutcome outcome, List<StepResult> results) {
        Set<Integer> steps = rollingBack.get(op.id());
        if (steps != null) {
            steps.remove(index);
        }
    }

    @Override
    public void operationFinished(Operation op, OperationState end, String summary) {
        Instant at = ticker.now();
        rollingBack.remove(op.id());
        announced.remove(op.id());
        write(op, "state " + end.label(), () -> journal.operationState(op.id(), end, at, redactor.redact(summary)));
    }

    /** Kept values are journaled for the steps after a confirm step; never a configured secret. */
    private Map<String, String> redactKept(Map<String, String> kept) {
        Map<String, String> out = new LinkedHashMap<>();
        kept.forEach((k, v) -> out.put(k, redactor.redact(v)));
        return out;
    }

    private boolean inRollback(OperationId id, int index) {
        Set<Integer> steps = rollingBack.get(id);
        return steps != null && steps.contains(index);
    }

    private void write(Operation op, String what, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            long n = failures.incrementAndGet();
            if (n == 1 || LOG.isDebugEnabled()) {
                LOG.warn("journal write failed ({}) for {}: {}", what, op.title(), e.getMessage(), e);
            } else if (!what.equals(OUTPUT) || n % OUTPUT_FAILURES_PER_LOG_LINE == 0) {
                // a full disk fails every output line: one log line per thousand, not one per line
                LOG.warn("journal write failed ({}) for {}: {} ({} failures so far)", what, op.title(),
                        e.getMessage(), n);
            }
        }
    }
}
