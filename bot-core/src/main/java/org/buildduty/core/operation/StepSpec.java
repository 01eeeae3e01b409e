package org.buildduty.core.operation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One frozen step of an operation: its parameters are already substituted (shell-quoted where they go into a command).
 *
 * @param name shown in chat and on the web page
 * @param kind the executor that runs it ({@code local}, {@code ssh}, {@code http}, ...)
 * @param args executor arguments, e.g. {@code command}; strings, numbers, lists and maps only
 * @param hosts the hosts to fan out over; empty means one run with no host
 * @param parallel how many hosts at once (at least 1)
 * @param timeout per host run; null means the runner's default
 * @param stuckAfter no output for this long and the room is told; null means never
 * @param onHostFailure what a failed host does to the rest
 * @param rollback run for each host this step completed on, when a later step fails or the operation is cancelled
 * @param retries how many more times a host run that failed or timed out is run again on its own host (0: never);
 *     a cancelled run is never retried, and the host's result is its last attempt's
 * @param retryDelay how long the runner waits (on its ticker) before each retry; null or zero means at once
 */
public record StepSpec(String name, String kind, Map<String, Object> args, List<String> hosts, int parallel,
        Duration timeout, Duration stuckAfter, OnHostFailure onHostFailure, StepSpec rollback, int retries,
        Duration retryDelay) {
    /** Most retries a step may ask for. */
    public static final int MAX_RETRIES = 10;

    /**
     * The kind of a step that runs nothing: the operation pauses there until {@link #confirmPolicy()} is met (the
     * room is shown {@link #confirmMessage()}), then runs its next step; a denial or expiry fails it there.
     */
    public static final String CONFIRM = "confirm";

    public StepSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        args = Map.copyOf(args);
        hosts = List.copyOf(hosts);
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1: " + parallel);
        }
        onHostFailure = onHostFailure == null ? OnHostFailure.STOP : onHostFailure;
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("retries must be 0 to " + MAX_RETRIES + ": " + retries);
        }
        retryDelay = retryDelay == null || retryDelay.isNegative() ? Duration.ZERO : retryDelay;
    }

    /** A step that is never retried. */
    public StepSpec(String name, String kind, Map<String, Object> args, List<String> hosts, int parallel,
            Duration timeout, Duration stuckAfter, OnHostFailure onHostFailure, StepSpec rollback) {
        this(name, kind, args, hosts, parallel, timeout, stuckAfter, onHostFailure, rollback, 0, Duration.ZERO);
    }

    /** The same step retried {@code count} times, {@code delay} apart. */
    public StepSpec withRetries(int count, Duration delay) {
        return new StepSpec(name, kind, args, hosts, parallel, timeout, stuckAfter, onHostFailure, rollback, count,
                delay);
    }

    /** The same step on other hosts (a retry of an operation runs a failed step only where it failed). */
    public StepSpec withHosts(List<String> only) {
        return new StepSpec(name, kind, args, only, parallel, timeout, stuckAfter, onHostFailure, rollback, retries,
                retryDelay);
    }

    /** A single-run step with defaults. */
    public static StepSpec of(String name, String kind, Map<String, Object> args) {
        return new StepSpec(name, kind, args, List.of(), 1, null, null, OnHostFailure.STOP, null);
    }

    /**
     * A {@code confirm} step: {@code message} is shown in the room; {@code policy} says who must confirm (its timeout
     * is the expiry). Its arguments are strings, so the step survives the journal's plan codec unchanged.
     */
    public static StepSpec confirm(String name, String message, ApprovalPolicy policy) {
        if (!policy.isRequired()) {
            throw new IllegalArgumentException("a confirm step needs at least one approval");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("message", message);
        args.put("role", policy.role());
        args.put("required", Integer.toString(policy.required()));
        args.put("self_approve", Boolean.toString(policy.selfApprove()));
        args.put("timeout", policy.timeout().toString());
        return of(name, CONFIRM, args);
    }

    /** True for a {@code confirm} step. */
    public boolean isConfirm() {
        return CONFIRM.equals(kind);
    }

    /** What a {@code confirm} step shows the room while it waits. */
    public String confirmMessage() {
        return arg("message");
    }

    /**
     * Who must confirm a {@code confirm} step, and its expiry.
     *
     * @throws IllegalStateException if this is not a confirm step
     */
    public ApprovalPolicy confirmPolicy() {
        if (!isConfirm()) {
            throw new IllegalStateException("step \"" + name + "\" is a " + kind + " step, not a confirm step");
        }
        String timeout = arg("timeout");
        return new ApprovalPolicy(arg("role"), Integer.parseInt(arg("required")), Boolean.parseBoolean(
                arg("self_approve")), timeout.isEmpty() ? null : Duration.parse(timeout));
    }

    /** The string argument, or empty string when absent. */
    public String arg(String key) {
        Object v = args.get(key);
        return v == null ? "" : v.toString();
    }

    /** How many host runs this step makes (1 when it has no hosts). */
    public int width() {
        return hosts.isEmpty() ? 1 : hosts.size();
    }
}
