package org.buildduty.commands.runbook;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.buildduty.core.operation.OnHostFailure;

/**
 * One step of a runbook before its parameters are known: arguments may hold {@code {{param}}} placeholders.
 *
 * @param name shown in chat
 * @param kind the step kind ({@code local}, {@code ssh}, {@code http}, ...)
 * @param args the arguments of the kind map, without {@code hosts} and {@code parallel}; strings, lists and maps
 * @param hosts {@code "{{param}}"}, a literal group or comma list of hosts, or empty for a step without hosts
 * @param parallel {@code "{{param}}"}, a literal number, or empty for 1
 * @param timeout per host run, or null for the runner's default
 * @param stuckAfter silence before the room is told, or null for never
 * @param onHostFailure what a failed host does to the others
 * @param rollback the step that undoes this one, or null; it has no rollback itself
 * @param retries {@code retries.count}: how often a failed host run is run again (0: never)
 * @param retryDelay {@code retries.delay}: the wait before each retry
 */
public record StepTemplate(String name, String kind, Map<String, Object> args, String hosts, String parallel,
        Duration timeout, Duration stuckAfter, OnHostFailure onHostFailure, StepTemplate rollback, int retries,
        Duration retryDelay) {
    public StepTemplate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        args = Map.copyOf(args);
        hosts = hosts == null ? "" : hosts;
        parallel = parallel == null ? "" : parallel;
        onHostFailure = onHostFailure == null ? OnHostFailure.STOP : onHostFailure;
        retryDelay = retryDelay == null ? Duration.ZERO : retryDelay;
    }

    /** A step that is never retried. */
    public StepTemplate(String name, String kind, Map<String, Object> args, String hosts, String parallel,
            Duration timeout, Duration stuckAfter, OnHostFailure onHostFailure, StepTemplate rollback) {
        this(name, kind, args, hosts, parallel, timeout, stuckAfter, onHostFailure, rollback, 0, Duration.ZERO);
    }

    /** True when it runs once per host. */
    public boolean fansOut() {
        return !hosts.isEmpty();
    }
}
