package org.buildduty.commands.mbs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;


/**
 * The lines of an {@code mbs watch} thread, from pure data: the first message, the changes between two snapshots
 * (each new failure on its own line with its Koji link, completions batched), and the final summary in the words of
 * the old {@code mbs-build watch}.
 */
final class WatchReport {
    /** Component names listed in a batched line before "+N more". */
    static final int MAX_NAMES = 8;
    /** Longest line a thread gets (the announcer's limit). */
    static final int MAX_LINE = 400;

    private WatchReport() {
    }

    /** {@code mbs #570 shared-userspace-f26 by psabata: build · 2 BUILDING, 34 COMPLETE, 1 FAILED, 97 undefined}. */
    static String first(ModuleBuild b) {
        Map<String, Integer> counts = b.countsByLabel();
        String comps = counts.isEmpty() ? "no components yet" : String.join(", ", counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).toList());
        return cut(title(b.id()) + " " + b.nameStream() + (b.owner() == null ? "" : " by " + b.owner()) + ": "
                + b.stateName() + " · " + comps);
    }

    /** The thread's title. */
    static String title(long id) {
        return "mbs #" + id;
    }

    /**
     * The old tool's last lines in one: {@code Summary: 2 components in the BUILDING state, 34 COMPLETE, 1 FAILED,
     * 97 undefined; psabata's build #570 of shared-userspace-f26 is in the "build" state}, then
     * {@code (reason: …)} and {@code (koji tag: "…")} when set.
     */
    static String summary(ModuleBuild b) {
        Map<String, Integer> counts = b.countsByLabel();
        StringBuilder s = new StringBuilder("Summary: ");
        if (counts.isEmpty()) {
            s.append("no components");
        }
        boolean firstCount = true;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (firstCount) {
                s.append(e.getValue()).append(e.getValue() == 1 ? " component" : " components").append(" in the ")
                        .append(e.getKey()).append(" state");
                firstCount = false;
            } else {
                s.append(", ").append(e.getValue()).append(' ').append(e.getKey());
            }
        }
        s.append("; ").append(b.owner() == null ? "someone" : b.owner()).append("'s build #").append(b.id())
                .append(" of ").append(b.nameStream()).append(" is in the \"").append(b.stateName()).append("\" state");
        if (b.stateReason() != null && !b.stateReason().isEmpty()) {
            s.append(" (reason: ").append(b.stateReason()).append(')');
        }
        if (b.kojiTag() != null && !b.kojiTag().isEmpty()) {
            s.append(" (koji tag: \"").append(b.kojiTag()).append("\")");
        }
        return cut(s.toString());
    }

    /**
     * What changed from {@code before} to {@code now}: each newly FAILED component (with its Koji link), then the
     * newly finished ones batched per state ({@code 3 more COMPLETE: a, b, c (37/134 built)}), then a module state
     * change, or the final summary when the build ended.
     */
    static List<String> changes(Snapshot before, ModuleBuild now, LongFunction<String> taskUrl) {
        List<String> lines = new ArrayList<>();
        Map<String, List<String>> finished = new TreeMap<>();
        for (ComponentTask c : now.components().values()) {
            Integer was = before.components().get(c.packageName());
            if (c.state() == null || c.state().equals(was)) {
                continue;
            }
            if (c.failed()) {
                lines.add(cut(c.packageName() + " FAILED" + (c.taskId() == null ? "" : ": "
                        + taskUrl.apply(c.taskId())) + (c.stateReason() == null || c.stateReason().isEmpty() ? ""
                        : " (" + c.stateReason() + ")")));
            } else if (c.built()) {
                finished.computeIfAbsent(c.label(), k -> new ArrayList<>()).add(c.packageName());
            }
        }
        int built = now.builtCount();
        int total = now.components().size();
        finished.forEach((label, names) -> lines.add(batch(label, names, built, total)));
        if (now.terminal()) {
            lines.add(summary(now));
        } else if (before.state() != now.state()) {
            lines.add(cut("module state: " + (before.state() < 0 ? "?" : ModuleBuild.stateName(before.state()))
                    + " → " + now.stateName() + (now.stateReason() == null || now.stateReason().isEmpty() ? ""
                    : " (" + now.stateReason() + ")")));
        }
        return lines;
    }

    private static String batch(String label, List<String> names, int built, int total) {
        StringBuilder s = new StringBuilder().append(names.size()).append(" more ").append(label).append(": ");
        int shown = Math.min(MAX_NAMES, names.size());
        s.append(String.join(", ", names.subList(0, shown)));
        if (names.size() > shown) {
            s.append(" +").append(names.size() - shown).append(" more");
        }
        s.append(" (").append(built).append('/').append(total).append(" built)");
        return cut(s.toString());
    }

    static String cut(String s) {
        String one = s.replaceAll("[\\r\\n]+", " ");
        return one.length() <= MAX_LINE ? one : one.substring(0, MAX_LINE - 1) + "…";
    }
}
