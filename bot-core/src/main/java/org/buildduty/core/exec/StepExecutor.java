package org.buildduty.core.exec;

import java.util.Map;
import java.util.Set;

/**
 * Runs one host run of one step kind ({@code local}, {@code ssh}, {@code http}, ...).
 *
 * <p>Never throws for a remote or process failure: every failure becomes a {@link StepResult}. Blocking is fine;
 * the runner calls it on a pool thread and cancels it through the {@link ExecContext}.
 */
public interface StepExecutor {
    /** The step kind this executor runs. */
    String kind();

    /** Runs the request to completion or cancellation. */
    StepResult execute(ExecRequest request, ExecContext context);

    /**
     * Checks a step's arguments when a runbook is loaded, so a bad runbook fails at start, not mid-operation.
     * Returns an error message per bad argument (key → message); empty when fine.
     */
    default Map<String, String> validateArgs(Map<String, Object> args) {
        return Map.of();
    }

    /**
     * The names a step with these (template) arguments keeps for later steps ({@link StepResult#kept()}), so a
     * runbook's later steps may use them as {@code {{name}}}. Empty by default.
     */
    default Set<String> keptNames(Map<String, Object> args) {
        return Set.of();
    }

    /**
     * Called once when an operation has finished (after its rollbacks), whatever its end: release what was held
     * for it, e.g. SSH connections reused across its steps. Must not throw.
     */
    default void operationFinished(org.buildduty.core.operation.OperationId operation) {
    }
}
