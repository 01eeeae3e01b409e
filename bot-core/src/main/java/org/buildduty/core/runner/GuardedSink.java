package org.buildduty.core.runner;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;

/**
 * Forwards every event to a sink and swallows (logs) what it throws, so a broken sink never breaks a run.
 */
final class GuardedSink extends ProgressSink {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedSink.class);

    private final ProgressSink delegate;

    GuardedSink(ProgressSink delegate) {
        this.delegate = delegate == null ? ProgressSink.NONE : delegate;
    }

    @Override
    public void operationStarted(Operation op) {
        guard("operationStarted", op, () -> delegate.operationStarted(op));
    }

    @Override
    public void stepStarted(Operation op, int index, StepSpec step) {
        guard("stepStarted", op, () -> delegate.stepStarted(op, index, step));
    }

    @Override
    public void hostStarted(Operation op, int index, StepSpec step, String host) {
        guard("hostStarted", op, () -> delegate.hostStarted(op, index, step, host));
    }

    @Override
    public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
        guard("output", op, () -> delegate.output(op, index, step, host, stream, line));
    }

    @Override
    public void hostStuck(Operation op, int index, StepSpec step, String host, Duration silentFor, String lastLine) {
        guard("hostStuck", op, () -> delegate.hostStuck(op, index, step, host, silentFor, lastLine));
    }

    @Override
    public void hostRetrying(Operation op, int index, StepSpec step, StepResult failed, int retry, int of,
            Duration delay) {
        guard("hostRetrying", op, () -> delegate.hostRetrying(op, index, step, failed, retry, of, delay));
    }

    @Override
    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
        guard("hostFinished", op, () -> delegate.hostFinished(op, index, step, result));
    }

    @Override
    public void stepFinished(Operation op, int index, StepSpec step, StepOutcome outcome, List<StepResult> results) {
        guard("stepFinished", op, () -> delegate.stepFinished(op, index, step, outcome, results));
    }

    @Override
    public void rollbackStarted(Operation op, int index, StepSpec rollback) {
        guard("rollbackStarted", op, () -> delegate.rollbackStarted(op, index, rollback));
    }

    @Override
    public void rollbackFinished(Operation op, int index, StepSpec rollback, StepOutcome outcome,
            List<StepResult> results) {
        guard("rollbackFinished", op, () -> delegate.rollbackFinished(op, index, rollback, outcome, results));
    }

    @Override
    public void operationFinished(Operation op, OperationState end, String summary) {
        guard("operationFinished", op, () -> delegate.operationFinished(op, end, summary));
    }

    private static void guard(String event, Operation op, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.warn("progress sink failed on {} of {}", event, op.title(), e);
        }
    }
}
