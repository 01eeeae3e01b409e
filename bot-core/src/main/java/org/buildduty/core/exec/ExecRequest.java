package org.buildduty.core.exec;

import java.time.Duration;
import java.util.Objects;

import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;

/**
 * One host run of a step, as handed to a {@link StepExecutor}.
 *
 * @param operation the operation it belongs to
 * @param step the frozen step
 * @param host the host, or null for a step without hosts
 * @param timeout how long the run may take; the runner enforces it by cancelling through {@link ExecContext}
 */
public record ExecRequest(OperationId operation, StepSpec step, String host, Duration timeout) {
    public ExecRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(timeout, "timeout");
    }
}
