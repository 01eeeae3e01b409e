package org.buildduty.core.operation;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.buildduty.core.exec.StepResult;

/** The one-line texts the runner writes for chat: durations and operation summaries. */
final class Summaries {
    /** Longest operation summary. */
    static final int MAX_SUMMARY = 480;
    /** How many failing hosts a summary names before "+N more". */
    static final int MAX_HOSTS = 3;

    private Summaries() {
    }

    /** {@code 45s}, {@code 1m 2s}, {@code 2h 5m}, {@code 0s}: at most two units, rounded down to seconds. */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        if (h > 0) {
            return m > 0 ? h + "h " + m + "m" : h + "h";
        }
        if (m > 0) {
            return sec > 0 ? m + "m " + sec + "s" : m + "m";
        }
        return sec + "s";
    }

    /** {@code bm73: exit 1 (last line); bm74: timed out - after 30m; +2 more}, or empty when none failed. */
    static String failures(List<StepResult> results) {
        List<StepResult> failed = results.stream().filter(r -> r.outcome().isFailure()
                && r.outcome() != org.buildduty.core.exec.StepOutcome.CANCELLED).collect(Collectors.toList());
        String shown = failed.stream().limit(MAX_HOSTS).map(StepResult::summary).collect(Collectors.joining("; "));
        return failed.size() > MAX_HOSTS ? shown + "; +" + (failed.size() - MAX_HOSTS) + " more" : shown;
    }

    /** {@code 1 step}, {@code 2 steps}. */
    static String steps(int n) {
        return n == 1 ? "1 step" : n + " steps";
    }

    /** Cuts to {@link #MAX_SUMMARY} characters on one line. */
    static String bound(String s) {
        String one = s.replaceAll("[\\r\\n]+", " ");
        return one.length() <= MAX_SUMMARY ? one : one.substring(0, MAX_SUMMARY - 1) + "…";
    }
}
