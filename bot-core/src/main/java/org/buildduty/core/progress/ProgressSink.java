package org.buildduty.core.progress;

import java.time.Duration;
import java.util.List;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

/**
 * Listens to an operation as the runner drives it; every method has a no-op default.
 *
 * <p>Implementations must be fast and must not throw: they are called on runner threads, in event order per host.
 * {@code index} is the step's position in the plan (0-based). Rollback events carry the index of the step whose
 * effects are being undone, and its rollback spec.
 */
public abstract class ProgressSink {
    /** A sink that ignores everything. */
    public static final ProgressSink NONE = new ProgressSink() {
    };

    public void operationStarted(Operation op) {
    }

    public void stepStarted(Operation op, int index, StepSpec step) {
    }

    public void hostStarted(Operation op, int index, StepSpec step, String host) {
    }

    public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
    }

    /**
     * A host run failed or timed out and will be run again on its own after {@code delay}: attempt {@code retry} of
     * {@code of} retries. {@code failed} is the attempt that just ended; no {@link #hostFinished} is reported for it.
     */
    public void hostRetrying(Operation op, int index, StepSpec step, StepResult failed, int retry, int of,
            Duration delay) {
    }

    /** A host has written nothing for {@code silentFor}; reported once per silence. */
    public void hostStuck(Operation op, int index, StepSpec step, String host, Duration silentFor, String lastLine) {
    }

    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
    }

    public void stepFinished(Operation op, int index, StepSpec step, StepOutcome outcome, List<StepResult> results) {
    }

    /** The rollback of step {@code index} starts; {@code rollback} is that step's rollback spec. */
    public void rollbackStarted(Operation op, int index, StepSpec rollback) {
    }

    public void rollbackFinished(Operation op, int index, StepSpec rollback, StepOutcome outcome,
            List<StepResult> results) {
    }

    /** The operation ended; {@code summary} is one line for chat. */
    public void operationFinished(Operation op, OperationState end, String summary) {
    }
}
