package org.buildduty.core.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;

/** The one-line texts the runner writes for chat: durations and operation summaries. */
final class Summaries {
    /** Longest operation summary. */
    static final int MAX_SUMMARY = 480;
    /** How many failing hosts a summary names before "+N more". */
    static final int MAX_HOSTS = 3;
    /** How many host names a tally shows per group. */
    static final int MAX_NAMES = 5;

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
                && r.outcome() != StepOutcome.CANCELLED).collect(Collectors.toList());
        String shown = failed.stream().limit(MAX_HOSTS).map(StepResult::summary).collect(Collectors.joining("; "));
        return failed.size() > MAX_HOSTS ? shown + "; +" + (failed.size() - MAX_HOSTS) + " more" : shown;
    }

    /**
     * Where a fan-out step stands, host by host: {@code ok 2 (bm01, bm03) · failed 1 (bm02) · skipped 1 (bm04)};
     * empty for a step without hosts. At most {@link #MAX_NAMES} names per group, then {@code +N}.
     */
    static String tally(List<StepResult> results) {
        if (results.isEmpty() || results.get(0).host() == null) {
            return "";
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (StepResult r : results) {
            String group = r.outcome() == StepOutcome.SUCCEEDED ? "ok"
                    : r.outcome() == StepOutcome.SKIPPED ? "skipped"
                    : r.outcome() == StepOutcome.CANCELLED ? "cancelled" : "failed";
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(r.host());
        }
        return Stream.of("ok", "failed", "cancelled", "skipped").filter(groups::containsKey)
                .map(g -> {
                    List<String> names = groups.get(g);
                    String shown = String.join(", ", names.subList(0, Math.min(MAX_NAMES, names.size())));
                    return g + " " + names.size() + " (" + shown
                            + (names.size() > MAX_NAMES ? ", +" + (names.size() - MAX_NAMES) : "") + ")";
                }).collect(Collectors.joining(" · "));
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
