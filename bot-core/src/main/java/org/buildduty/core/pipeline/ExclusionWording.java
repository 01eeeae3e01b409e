package org.buildduty.core.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.time.Times;

/**
 * The lines about exclusion: {@code reconfig #18 queued behind #17 (reconfig by alice, running 12m; holds
 * bm01..bm50)}, {@code reconfig #18 starting (queued 14m)}, and the refusal naming the holder.
 */
final class ExclusionWording {
    /** A host name ending in a number: the prefix, then the digits. */
    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");
    /** How many ranges or names a line shows before {@code +N more}. */
    private static final int SHOWN = 4;

    private ExclusionWording() {
    }

    /** {@code queued behind #17 (reconfig by alice, running 12m; holds bm01..bm50)}. */
    static String behind(OperationPlan plan, List<Exclusions.Entry> in, Instant now) {
        return "queued behind " + blockers(plan, in, now);
    }

    /** {@code #17 (...)}, or {@code #17 (...) and #16 (...)}. */
    static String blockers(OperationPlan plan, List<Exclusions.Entry> in, Instant now) {
        Set<String> mine = Exclusion.keys(plan);
        List<String> parts = new ArrayList<>();
        for (Exclusions.Entry e : in.subList(0, Math.min(in.size(), 3))) {
            parts.add(describe(e, mine, now));
        }
        String s = String.join(" and ", parts);
        return in.size() > 3 ? s + " and " + (in.size() - 3) + " more" : s;
    }

    /** {@code #17 (reconfig by alice, running 12m; holds bm01..bm50)}: who, how long, and what both need. */
    static String describe(Exclusions.Entry e, Set<String> mine, Instant now) {
        Operation op = e.op();
        OperationState state = op.state();
        Instant since = state == OperationState.QUEUED ? e.since()
                : Objects.requireNonNullElse(op.startedAt(), e.since());
        StringBuilder sb = new StringBuilder().append(op.id()).append(" (").append(op.kind()).append(" by ")
                .append(op.requester().principal()).append(", ").append(state.label()).append(' ')
                .append(Times.elapsed(Duration.between(since, now)));
        String holds = holds(e.keys(), mine);
        if (!holds.isEmpty()) {
            sb.append("; ").append(state == OperationState.QUEUED ? "needs " : "holds ").append(holds);
        }
        return sb.append(')').toString();
    }

    /** {@code reconfig #18 starting (queued 14m)}. */
    static String starting(Operation op, Instant since, Instant now) {
        return op.title() + " starting (queued " + Times.elapsed(Duration.between(since, now)) + ")";
    }

    /** The one line refusing a request that does not queue. */
    static String refused(OperationPlan plan, List<Exclusions.Entry> in, Instant now) {
        return "refused: " + plan.kind() + " does not queue (on_conflict: refuse) and " + blockers(plan, in, now)
                + " holds what it needs; try again when " + in.get(0).op().id() + " has ended";
    }

    /**
     * What two key sets share, for people: hosts as ranges ({@code bm01..bm50}), then {@code lock NAME} and the
     * targets; the runbook key is left out (the kind already says it).
     */
    static String holds(Set<String> theirs, Set<String> mine) {
        List<String> hosts = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String k : theirs) {
            if (!mine.contains(k)) {
                continue;
            }
            if (k.startsWith("host:")) {
                hosts.add(k.substring(5));
            } else if (k.startsWith("lock:")) {
                others.add("lock " + k.substring(5));
            } else if (k.startsWith("target:")) {
                others.add(k.substring(7));
            }
        }
        List<String> all = new ArrayList<>(ranges(hosts));
        all.addAll(others);
        if (all.size() > SHOWN) {
            int more = all.size() - SHOWN;
            all = new ArrayList<>(all.subList(0, SHOWN));
            all.add("+" + more + " more");
        }
        return String.join(", ", all);
    }

    /**
     * Host names as ranges: names that share a prefix and a number width and follow each other become
     * {@code bm01..bm50}; other names stay as they are. In sorted order.
     */
    static List<String> ranges(List<String> hosts) {
        TreeMap<String, TreeMap<Long, String>> numbered = new TreeMap<>();
        List<String> out = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        for (String h : hosts) {
            Matcher m = NUMBERED.matcher(h);
            if (m.matches() && m.group(2).length() <= 18) {
                numbered.computeIfAbsent(m.group(1) + "\u0000" + m.group(2).length(), k -> new TreeMap<>())
                        .put(Long.parseLong(m.group(2)), h);
            } else {
                plain.add(h);
            }
        }
        numbered.values().forEach(run -> {
            Long start = null;
            Long prev = null;
            for (Long n : run.keySet()) {
                if (start != null && n != prev + 1) {
                    out.add(range(run, start, prev));
                    start = null;
                }
                if (start == null) {
                    start = n;
                }
                prev = n;
            }
            if (start != null) {
                out.add(range(run, start, prev));
            }
        });
        plain.stream().sorted().forEach(out::add);
        return out;
    }

    private static String range(TreeMap<Long, String> run, long from, long to) {
        return from == to ? run.get(from) : from + 1 == to ? run.get(from) + ", " + run.get(to)
                : run.get(from) + ".." + run.get(to);
    }
}
