package org.buildduty.core.exec;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.Bindings;

/**
 * One host run of a step, as handed to a {@link StepExecutor}.
 *
 * @param operation the operation it belongs to
 * @param step the frozen step
 * @param host the host, or null for a step without hosts
 * @param timeout how long the run may take; the runner enforces it by cancelling through {@link ExecContext}
 * @param vars the values earlier steps of the operation kept ({@link StepResult#kept()}), by name
 */
public record ExecRequest(OperationId operation, StepSpec step, String host, Duration timeout,
        Map<String, String> vars) {
    public ExecRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(timeout, "timeout");
        vars = vars == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    }

    /** A request with no kept values. */
    public ExecRequest(OperationId operation, StepSpec step, String host, Duration timeout) {
        this(operation, step, host, timeout, Map.of());
    }

    /**
     * Binds the placeholders a frozen argument still holds, in one pass (inserted values are never rescanned):
     * {@code {{host}}} and kept {@code {{name}}} values through {@code escape} (e.g. {@code ShellQuote::quote} for a
     * command, {@code Escapes::json} for a body), {@code {{operation}}} as its digits. Other text is left as it is.
     */
    public String bind(String text, UnaryOperator<String> escape) {
        return Bindings.bind(text, name -> {
            if (name.equals(Bindings.HOST)) {
                return host == null ? null : escape.apply(host);
            }
            if (name.equals(Bindings.OPERATION)) {
                return Long.toString(operation.value());
            }
            String v = vars.get(name);
            return v == null ? null : escape.apply(v);
        });
    }

    /** The string argument {@code key} of the step, bound with {@link #bind}; empty when absent. */
    public String boundArg(String key, UnaryOperator<String> escape) {
        return bind(step.arg(key), escape);
    }
}
