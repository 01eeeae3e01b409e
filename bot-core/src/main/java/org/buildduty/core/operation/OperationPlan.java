package org.buildduty.core.operation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import org.buildduty.core.param.ShellQuote;

/**
 * What a command wants to run, frozen before it is shown for approval: parameters can never change afterwards.
 *
 * @param kind the command or runbook name ({@code reconfig}, {@code demo})
 * @param params the validated parameter values in display order
 * @param steps the steps, already substituted
 * @param approval who must approve before it runs
 * @param unit what the fan-out counts, for the status line ({@code masters}, {@code hosts}, {@code steps})
 * @param onRestart what a restart does to it if it was running when the bot died
 * @param exclusion what it keeps others from doing while it is live, and what it does when another holds that
 */
public record OperationPlan(String kind, Map<String, String> params, List<StepSpec> steps, ApprovalPolicy approval,
        String unit, OnRestart onRestart, Exclusion exclusion) {
    public OperationPlan {
        Objects.requireNonNull(kind, "kind");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        steps = List.copyOf(steps);
        approval = approval == null ? ApprovalPolicy.NONE : approval;
        unit = unit == null || unit.isEmpty() ? "steps" : unit;
        onRestart = onRestart == null ? OnRestart.REPORT : onRestart;
        exclusion = exclusion == null ? Exclusion.NONE : exclusion;
    }

    /** A plan that excludes nothing. */
    public OperationPlan(String kind, Map<String, String> params, List<StepSpec> steps, ApprovalPolicy approval,
            String unit, OnRestart onRestart) {
        this(kind, params, steps, approval, unit, onRestart, Exclusion.NONE);
    }

    /** A plan that a restart only reports. */
    public OperationPlan(String kind, Map<String, String> params, List<StepSpec> steps, ApprovalPolicy approval,
            String unit) {
        this(kind, params, steps, approval, unit, OnRestart.REPORT);
    }

    /** The same plan with another exclusion. */
    public OperationPlan withExclusion(Exclusion value) {
        return new OperationPlan(kind, params, steps, approval, unit, onRestart, value);
    }

    /**
     * {@code key=value} pairs as shown in chat, e.g. {@code masters=all revision=4f2a9c1}; a value that holds a space,
     * {@code =}, a quote or a backslash, or is empty, is quoted as a shell would read it back
     * ({@code msg='a b=c'}), so one value never reads as two parameters.
     */
    public String paramSummary() {
        return paramSummary(UnaryOperator.identity());
    }

    /** The same, each value passed through {@code redact} before it is quoted (quoting may split a secret). */
    public String paramSummary(UnaryOperator<String> redact) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(k).append('=').append(ShellQuote.display(redact.apply(v)));
        });
        return sb.toString();
    }
}
