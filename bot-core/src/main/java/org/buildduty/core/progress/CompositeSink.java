package org.buildduty.core.progress;

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

/**
 * Passes every event to several sinks in order (the journal first, so a state change is durable before it is
 * announced); a sink that throws is logged and the others still get the event.
 */
public final class CompositeSink extends ProgressSink {
    private static final Logger LOG = LoggerFactory.getLogger(CompositeSink.class);
    private final List<ProgressSink> sinks;

    public CompositeSink(List<ProgressSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    private interface Call {
        void on(ProgressSink s);
    }

    private void each(Call c) {
        for (ProgressSink s : sinks) {
            try {
                c.on(s);
            } catch (RuntimeException e) {
                LOG.error("progress sink {} failed", s.getClass().getSimpleName(), e);
            }
        }
    }

    @Override
    public void operationStarted(Operation op) {
        each(s -> s.operationStarted(op));
    }

    @Override
    public void stepStarted(Operation op, int index, StepSpec step) {
        each(s -> s.stepStarted(op, index, step));
    }

    @Override
    public void hostStarted(Operation op, int index, StepSpec step, String host) {
        each(s -> s.hostStarted(op, index, step, host));
    }

    @Override
    public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
        each(s -> s.output(op, index, step, host, stream, line));
    }

    @Override
    public void hostStuck(Operation op, int index, StepSpec step, String host, Duration silentFor, String lastLine) {
        each(s -> s.hostStuck(op, index, step, host, silentFor, lastLine));
    }

    @Override
    public void hostRetrying(Operation op, int index, StepSpec step, StepResult failed, int retry, int of,
            Duration delay) {
        each(s -> s.hostRetrying(op, index, step, failed, retry, of, delay));
    }

    @Override
    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
        each(s -> s.hostFinished(op, index, step, result));
    }

    @Override
    public void stepFinished(Operation op, int index, StepSpec step, StepOutcome outcome, List<StepResult> results) {
        each(s -> s.stepFinished(op, index, step, outcome, results));
    }

    @Override
    public void rollbackStarted(Operation op, int index, StepSpec rollback) {
        each(s -> s.rollbackStarted(op, index, rollback));
    }

    @Override
    public void rollbackFinished(Operation op, int index, StepSpec rollback, StepOutcome outcome,
            List<StepResult> results) {
        each(s -> s.rollbackFinished(op, index, rollback, outcome, results));
    }

    @Override
    public void operationFinished(Operation op, OperationState end, String summary) {
        each(s -> s.operationFinished(op, end, summary));
    }
}
