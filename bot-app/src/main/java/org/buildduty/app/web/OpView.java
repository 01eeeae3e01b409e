package org.buildduty.app.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.time.Times;

/**
 * What the page and the {@code state} events show of an operation: its state, progress, steps and host runs, redacted
 * and formatted, with no value that changes by itself but {@code queue} (so an unchanged operation gives the same
 * JSON at every poll, and a queued one a new JSON when its wait's wording changes).
 *
 * @param state    the state label, e.g. {@code running} or {@code pending approval}
 * @param terminal whether the state never changes again
 * @param bad      whether it ended badly (failed, cancelled, interrupted, denied, expired): the bar turns red
 * @param detail   the last state change's reason or summary, redacted
 * @param done     host runs finished (rollbacks and retried attempts not counted)
 * @param failed   host runs whose last attempt failed, timed out or was cancelled (rollbacks not counted)
 * @param total    host runs planned: each step's hosts (one run for a step with none)
 * @param ended    when it ended, or empty
 * @param duration started to ended once it ended, or empty
 * @param queue    what a queued operation waits for ({@code queued 3m behind #17 (...)}), or empty
 * @param steps    every step of the plan, in order, with its state so far
 * @param hostRuns every host run started so far, in journal order
 */
record OpView(String state, boolean terminal, boolean bad, String detail, int done, int failed, int total,
        String ended, String duration, String queue, List<StepView> steps, List<HostView> hostRuns) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Set<OperationState> BAD = Set.of(OperationState.FAILED, OperationState.CANCELLED,
            OperationState.INTERRUPTED, OperationState.DENIED, OperationState.EXPIRED);

    /**
     * One host run as shown.
     *
     * @param stepIndex the step it belongs to, from 0
     * @param exitCode  the exit code, or empty
     * @param duration  how long it took, empty while it runs
     * @param failed    whether this is the host's last attempt of the step and it failed (not for rollbacks)
     * @param reason    why it failed when that is more than its exit code ({@code timed out after 5m}), redacted
     * @param lastLine  the last line its result kept, redacted, or empty
     */
    record HostView(int stepIndex, String step, String host, String state, String exitCode, String started,
            String duration, boolean rollback, boolean failed, String reason, String lastLine) {
    }

    /**
     * One step as its section's summary shows it.
     *
     * @param index    from 0
     * @param state    {@code not started}, {@code running}, {@code succeeded}, {@code failed}, {@code skipped},
     *                 {@code incomplete}, {@code not run} (the operation ended before it); a confirm step
     *                 {@code waiting} or {@code confirmed}
     * @param ok       hosts whose last attempt succeeded
     * @param failed   hosts whose last attempt failed
     * @param total    hosts planned (1 for a step with none, 0 for a confirm step)
     * @param duration first start to last end once no run is running, or empty
     */
    record StepView(int index, String name, String state, int ok, int failed, int total, String duration) {
    }

    static OpView of(OperationRecord op, List<HostRunRecord> runs, Redactor secrets) {
        return of(op, runs, secrets, "");
    }

    static OpView of(OperationRecord op, List<HostRunRecord> runs, Redactor secrets, String queue) {
        List<HostView> views = new ArrayList<>();
        int done = 0;
        int failed = 0;
        // a step with retries has one host run per attempt: all but the last of a host were retried
        Map<String, Integer> attempts = new HashMap<>();
        for (HostRunRecord r : runs) {
            attempts.merge(attemptKey(r), 1, Integer::sum);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (HostRunRecord r : runs) {
            int attempt = seen.merge(attemptKey(r), 1, Integer::sum);
            int of = attempts.get(attemptKey(r));
            boolean last = attempt == of;
            boolean runFailed = !r.rollback() && last && r.result() != null && r.result().outcome().isFailure();
            if (!r.rollback() && r.result() != null && last) {
                done++;
            }
            if (runFailed) {
                failed++;
            }
            String state = r.result() == null ? "running" : r.result().outcome().label();
            if (attempt < of) {
                state += ", retried";
            } else if (of > 1) {
                state += " (attempt " + attempt + ")";
            }
            String exit = r.result() == null || r.result().exitCode() == null ? "" : r.result().exitCode().toString();
            String took = r.endedAt() == null ? "" : Times.elapsed(Duration.between(r.startedAt(), r.endedAt()));
            String reason = "";
            String lastLine = "";
            if (runFailed) {
                String why = r.result().reason();
                reason = why.equals("exit " + exit) || why.equals(r.result().lastLine()) ? "" : secrets.redact(why);
                lastLine = secrets.redact(r.result().lastLine());
            }
            views.add(new HostView(r.stepIndex(), secrets.redact(r.stepName()), host(r.host()), state, exit,
                    stamp(r.startedAt()), took, r.rollback(), runFailed, reason, lastLine));
        }
        int total = planned(op.plan());
        String took = op.endedAt() == null ? "" : duration(op, op.endedAt());
        return new OpView(op.state().label(), op.state().isTerminal(), BAD.contains(op.state()),
                secrets.redact(op.detail() == null ? "" : op.detail()), Math.min(done, total), failed, total,
                stamp(op.endedAt()), took, secrets.redact(queue), steps(op, runs, views, secrets), List.copyOf(views));
    }

    private static List<StepView> steps(OperationRecord op, List<HostRunRecord> runs, List<HostView> views,
            Redactor secrets) {
        List<StepSpec> specs = op.plan().steps();
        List<StepView> out = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            // the last attempt of each host decides the host's state in the step
            Map<String, HostView> lastOf = new LinkedHashMap<>();
            Instant first = null;
            Instant lastEnd = null;
            boolean running = false;
            int skipped = 0;
            for (int k = 0; k < runs.size(); k++) {
                HostRunRecord r = runs.get(k);
                if (r.stepIndex() != i || r.rollback()) {
                    continue;
                }
                lastOf.put(host(r.host()), views.get(k));
                first = first == null || r.startedAt().isBefore(first) ? r.startedAt() : first;
                if (r.endedAt() == null) {
                    running = true;
                } else if (lastEnd == null || r.endedAt().isAfter(lastEnd)) {
                    lastEnd = r.endedAt();
                }
            }
            int ok = 0;
            int bad = 0;
            for (HostView h : lastOf.values()) {
                if (h.failed()) {
                    bad++;
                } else if (h.state().startsWith("succeeded")) {
                    ok++;
                } else if (h.state().startsWith("skipped")) {
                    skipped++;
                }
            }
            int width = specs.get(i).width();
            String state;
            if (specs.get(i).isConfirm() && lastOf.isEmpty()) {
                int step = i;
                boolean later = runs.stream().anyMatch(r -> r.stepIndex() > step);
                boolean before = step == 0 || runs.stream().anyMatch(r -> r.stepIndex() == step - 1);
                state = later ? "confirmed" : op.state() == OperationState.WAITING && before ? "waiting"
                        : op.state().isTerminal() ? "not run" : "not started";
            } else if (running) {
                state = "running";
            } else if (bad > 0) {
                state = "failed";
            } else if (lastOf.isEmpty()) {
                state = op.state().isTerminal() ? "not run" : "not started";
            } else if (ok >= width) {
                state = "succeeded";
            } else if (skipped > 0 && ok == 0) {
                state = "skipped";
            } else {
                state = op.state().isTerminal() ? "incomplete" : "running";
            }
            String took = running || first == null || lastEnd == null ? ""
                    : Times.elapsed(Duration.between(first, lastEnd));
            out.add(new StepView(i, secrets.redact(specs.get(i).name()), state, ok, bad,
                    specs.get(i).isConfirm() ? 0 : width, took));
        }
        return List.copyOf(out);
    }

    /** The host a run or line names: {@code local} for a step without hosts. */
    static String host(String h) {
        return h == null || h.isEmpty() ? "local" : h;
    }

    private static String attemptKey(HostRunRecord r) {
        return r.stepIndex() + (r.rollback() ? "r" : "s") + r.host();
    }

    /** Host runs the plan makes, rollbacks aside. */
    static int planned(OperationPlan plan) {
        return plan.steps().stream().mapToInt(StepSpec::width).sum();
    }

    /** {@code 2026-11-21 12:00:05Z}, or empty for null. */
    static String stamp(Instant t) {
        return t == null ? "" : STAMP.format(t);
    }

    /** {@code 12:00:05} (UTC), or empty for null. */
    static String clock(Instant t) {
        return t == null ? "" : CLOCK.format(t);
    }

    /** Started to ended, or to {@code now} while it runs; empty before it started. */
    static String duration(OperationRecord op, Instant now) {
        if (op.startedAt() == null) {
            return "";
        }
        Instant end = op.endedAt() != null ? op.endedAt() : op.state().isTerminal() ? op.startedAt() : now;
        return Times.elapsed(Duration.between(op.startedAt(), end));
    }
}
