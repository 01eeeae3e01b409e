package org.buildduty.core.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;

/**
 * The counters behind a status line, updated from progress events: which step runs, how many of its host runs
 * are done, and which failed. Thread-safe.
 */
public final class OperationProgress {
    private final Operation op;
    private int stepIndex = -1;
    private int doneInStep;
    private final List<StepResult> failures = new ArrayList<>();
    private boolean rollingBack;
    private String ending = "";

    public OperationProgress(Operation op) {
        this.op = op;
    }

    public synchronized void stepStarted(int index) {
        stepIndex = index;
        doneInStep = 0;
    }

    public synchronized void hostFinished(StepResult r) {
        if (rollingBack || r.outcome() == StepOutcome.CANCELLED) {
            // a run cut off by a cancel did not complete: the bar does not count it
            return;
        }
        doneInStep++;
        if (failedOnItsOwn(r)) {
            failures.add(r);
        }
    }

    public synchronized void rollingBack() {
        rollingBack = true;
    }

    /** True for a run that failed or timed out; a run cancelled by a person or shutdown is not a failure to report. */
    static boolean failedOnItsOwn(StepResult r) {
        return r.outcome() == StepOutcome.FAILED || r.outcome() == StepOutcome.TIMED_OUT;
    }

    /** Marks the end, e.g. {@code succeeded}. */
    public synchronized void ended(String label) {
        ending = label;
    }

    /**
     * The status line: {@code reconfig #17 [#######-----] 23/40 masters · 1 failed (bm73: exit 1) · 12m}. With
     * several steps it names the current one, except in the final line of a success.
     */
    public synchronized String statusLine(Instant now) {
        int steps = op.plan().steps().size();
        int idx = Math.max(0, stepIndex);
        int width = steps == 0 ? 0 : op.plan().steps().get(Math.min(idx, steps - 1)).width();
        boolean fanOut = steps > 0 && !op.plan().steps().get(Math.min(idx, steps - 1)).hosts().isEmpty();
        int done;
        int total;
        if (fanOut) {
            done = doneInStep;
            total = width;
        } else {
            done = Math.min(steps, stepIndex < 0 ? 0 : stepIndex + (doneInStep > 0 ? 1 : 0));
            total = steps;
        }
        if (!ending.isEmpty() && ending.equals("succeeded")) {
            done = total;
        }
        StringBuilder sb = new StringBuilder(op.title()).append(' ').append(bar(done, total)).append(' ')
                .append(done).append('/').append(total).append(' ').append(fanOut ? op.plan().unit() : "steps");
        if (fanOut && steps > 1 && !ending.equals("succeeded")) {
            sb.append(" · step ").append(idx + 1).append('/').append(steps).append(' ')
                    .append(op.plan().steps().get(idx).name());
        }
        if (!failures.isEmpty()) {
            sb.append(" · ").append(failures.size()).append(" failed (").append(failures.get(0).summary());
            if (failures.size() > 1) {
                sb.append(", …");
            }
            sb.append(')');
        }
        if (rollingBack && ending.isEmpty()) {
            sb.append(" · rolling back");
        }
        if (!ending.isEmpty()) {
            sb.append(" · ").append(ending);
        }
        Instant start = op.startedAt() == null ? op.createdAt() : op.startedAt();
        Instant end = op.endedAt() == null ? now : op.endedAt();
        sb.append(" · ").append(org.buildduty.core.time.Times.elapsed(Duration.between(start, end)));
        return sb.toString();
    }

    static String bar(int done, int total) {
        int cells = 12;
        int filled = total <= 0 ? 0 : (int) Math.round((double) done * cells / total);
        if (done < total) {
            filled = Math.min(filled, cells - 1);
        }
        return "[" + "#".repeat(filled) + "-".repeat(cells - filled) + "]";
    }
}
