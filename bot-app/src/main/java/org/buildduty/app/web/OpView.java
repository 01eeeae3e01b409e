package org.buildduty.app.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.time.Times;

/**
 * What the page and the {@code state} events show of an operation: its state, progress and host runs, redacted and
 * formatted, with no value that changes by itself (so an unchanged operation gives the same JSON at every poll).
 *
 * @param state    the state label, e.g. {@code running} or {@code pending approval}
 * @param terminal whether the state never changes again
 * @param detail   the last state change's reason or summary, redacted
 * @param done     host runs finished (rollbacks not counted)
 * @param total    host runs planned: each step's hosts (one run for a step with none)
 * @param ended    when it ended, or empty
 * @param duration started to ended once it ended, or empty
 * @param hostRuns every host run started so far, in journal order
 */
record OpView(String state, boolean terminal, String detail, int done, int total, String ended, String duration,
        List<HostView> hostRuns) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * One host run as shown.
     *
     * @param exitCode the exit code, or empty
     * @param duration how long it took, empty while it runs
     */
    record HostView(String step, String host, String state, String exitCode, String started, String duration,
            boolean rollback) {
    }

    static OpView of(OperationRecord op, List<HostRunRecord> runs, Redactor secrets) {
        List<HostView> views = new ArrayList<>();
        int done = 0;
        // a step with retries has one host run per attempt: all but the last of a host were retried
        Map<String, Integer> attempts = new HashMap<>();
        for (HostRunRecord r : runs) {
            attempts.merge(attemptKey(r), 1, Integer::sum);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (HostRunRecord r : runs) {
            int attempt = seen.merge(attemptKey(r), 1, Integer::sum);
            int of = attempts.get(attemptKey(r));
            if (!r.rollback() && r.result() != null && attempt == of) {
                done++;
            }
            String state = r.result() == null ? "running" : r.result().outcome().label();
            if (attempt < of) {
                state += ", retried";
            } else if (of > 1) {
                state += " (attempt " + attempt + ")";
            }
            String exit = r.result() == null || r.result().exitCode() == null ? "" : r.result().exitCode().toString();
            String took = r.endedAt() == null ? "" : Times.elapsed(Duration.between(r.startedAt(), r.endedAt()));
            views.add(new HostView(secrets.redact(r.stepName()), r.host() == null ? "local" : r.host(), state, exit,
                    stamp(r.startedAt()), took, r.rollback()));
        }
        int total = planned(op.plan());
        String took = op.endedAt() == null ? "" : duration(op, op.endedAt());
        return new OpView(op.state().label(), op.state().isTerminal(), secrets.redact(op.detail() == null ? ""
                : op.detail()), Math.min(done, total), total, stamp(op.endedAt()), took, List.copyOf(views));
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

    /** Started to ended, or to {@code now} while it runs; empty before it started. */
    static String duration(OperationRecord op, Instant now) {
        if (op.startedAt() == null) {
            return "";
        }
        Instant end = op.endedAt() != null ? op.endedAt() : op.state().isTerminal() ? op.startedAt() : now;
        return Times.elapsed(Duration.between(op.startedAt(), end));
    }
}
