package org.buildduty.core.operation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an operation keeps others from doing while it is live (approved and not ended), and what a request does when
 * another holds what it needs.
 *
 * <p>A runbook says {@code exclusive: runbook} (the default: one live operation of the runbook at a time),
 * {@code exclusive: hosts} (that, and no other host-exclusive operation on any of its hosts) or
 * {@code exclusive: none}, plus {@code locks: [name, ...]} shared across runbooks, and {@code on_conflict: queue}
 * (the default: wait in request order) or {@code refuse}.
 * Built-in commands that change something hold their targets ({@link #targets}).
 *
 * @param runbook at most one live operation of the same kind
 * @param hosts no other host-exclusive operation on any of the plan's hosts
 * @param locks named locks, shared with every operation that names them
 * @param targets what a built-in command changes, e.g. {@code builder linux-x86_64} or {@code module build 1234}
 * @param refuse refuse a conflicting request instead of queueing it
 */
public record Exclusion(boolean runbook, boolean hosts, List<String> locks, List<String> targets, boolean refuse) {
    /** No limit: what a plan has unless its command says otherwise. */
    public static final Exclusion NONE = new Exclusion(false, false, List.of(), List.of(), false);

    /** A runbook's default: {@code exclusive: runbook}, no named locks, queue on conflict. */
    public static final Exclusion RUNBOOK = new Exclusion(true, false, List.of(), List.of(), false);

    public Exclusion {
        locks = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(locks, "locks")));
        targets = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(targets, "targets")));
    }

    /** A built-in command's: it holds its targets (and queues behind whoever holds them). */
    public static Exclusion ofTargets(String... targets) {
        return new Exclusion(false, false, List.of(), List.of(targets), false);
    }

    /** A built-in command's that changes hosts: host-exclusive on the hosts of its steps. */
    public static Exclusion ofHosts() {
        return new Exclusion(false, true, List.of(), List.of(), false);
    }

    /** True when it holds nothing. */
    public boolean isNone() {
        return !runbook && !hosts && locks.isEmpty() && targets.isEmpty();
    }

    /**
     * The keys an operation of {@code plan} holds: {@code runbook:<kind>}, {@code host:<name>} for each host of its
     * steps and their rollbacks, {@code lock:<name>}, {@code target:<what>}. Two live operations may not share a key.
     */
    public static Set<String> keys(OperationPlan plan) {
        Exclusion e = plan.exclusion();
        Set<String> keys = new LinkedHashSet<>();
        if (e.runbook) {
            keys.add("runbook:" + plan.kind());
        }
        if (e.hosts) {
            for (String h : hosts(plan)) {
                keys.add("host:" + h);
            }
        }
        e.locks.forEach(l -> keys.add("lock:" + l));
        e.targets.forEach(t -> keys.add("target:" + t));
        return keys;
    }

    /** The hosts of a plan's steps and of their rollbacks, in first-seen order. */
    public static List<String> hosts(OperationPlan plan) {
        Set<String> out = new LinkedHashSet<>();
        for (StepSpec s : plan.steps()) {
            out.addAll(s.hosts());
            if (s.rollback() != null) {
                out.addAll(s.rollback().hosts());
            }
        }
        return new ArrayList<>(out);
    }
}
