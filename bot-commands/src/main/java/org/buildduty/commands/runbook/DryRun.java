package org.buildduty.commands.runbook;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Durations;

/**
 * The answer to {@code --dry-run}: the frozen plan as one chat message of a few lines, each step with its hosts
 * (numbered runs folded to {@code bm01..bm50}) and its command exactly as it would be sent, values shell-quoted;
 * {@code {{host}}} and {@code {{operation}}} stay as markers because they are bound when a step runs.
 *
 * <pre>{@code
 * reconfig dry run (nothing started): masters='masters (50)' revision=tip parallel=10 dry_run=true
 * would need approval: 1 of role releng, not the requester
 * 1. move production tag (local): ...
 * 2. update checkouts (ssh on bm01..bm50 (50 hosts), 10 at a time, timeout 10m, stuck after 3m):
 *     git -C '/builds/buildbot/configs' fetch ...
 * }</pre>
 */
final class DryRun {
    /** The parameter that asks for a dry run, when a runbook declares it with type bool. */
    static final String PARAM = "dry_run";
    /** Host names shown before "and N more". */
    static final int SHOWN_HOSTS = 8;
    private static final Pattern NUMBERED = Pattern.compile("(.*?)([0-9]+)");

    private DryRun() {
    }

    /** True when the plan was made with {@code --dry-run}. */
    static boolean asked(OperationPlan plan) {
        return "true".equals(plan.params().get(PARAM));
    }

    /** The lines of the answer. */
    static List<String> lines(OperationPlan plan) {
        List<String> out = new ArrayList<>();
        String params = plan.paramSummary();
        out.add(plan.kind() + " dry run (nothing started)" + (params.isEmpty() ? "" : ": " + params));
        if (plan.approval().isRequired()) {
            out.add("would need approval: " + plan.approval().required() + " of role " + plan.approval().role()
                    + (plan.approval().selfApprove() ? "" : ", not the requester"));
        }
        int i = 1;
        for (StepSpec s : plan.steps()) {
            step(out, i++ + ". ", s);
            if (s.rollback() != null) {
                step(out, "   rollback ", s.rollback());
            }
        }
        return out;
    }

    private static void step(List<String> out, String prefix, StepSpec s) {
        if (s.isConfirm()) {
            ApprovalPolicy p = s.confirmPolicy();
            out.add(prefix + s.name() + " (confirm: waits for " + p.required() + " of role " + p.role()
                    + (p.selfApprove() ? "" : ", not the requester") + ", at most " + Durations.format(p.timeout())
                    + "): " + s.confirmMessage());
            return;
        }
        List<String> notes = new ArrayList<>();
        String where = s.kind();
        if (!s.hosts().isEmpty()) {
            where += " on " + hosts(s.hosts());
            if (s.hosts().size() > 1) {
                notes.add(Math.min(s.parallel(), s.hosts().size()) + " at a time");
            }
            if (s.hosts().size() > 1 && s.onHostFailure() == OnHostFailure.CONTINUE) {
                notes.add("a failed host does not stop the others");
            }
        }
        if (s.timeout() != null) {
            notes.add("timeout " + Durations.format(s.timeout()));
        }
        if (s.stuckAfter() != null) {
            notes.add("stuck after " + Durations.format(s.stuckAfter()));
        }
        if (s.retries() > 0) {
            notes.add("a failed host retried up to " + s.retries() + " times" + (s.retryDelay().isZero() ? ""
                    : ", " + Durations.format(s.retryDelay()) + " apart"));
        }
        String head = prefix + s.name() + " (" + where + (notes.isEmpty() ? "" : ", " + String.join(", ", notes))
                + ")";
        List<String> body = body(s);
        if (body.size() == 1 && head.length() + body.get(0).length() < 160) {
            out.add(head + ": " + body.get(0));
            return;
        }
        out.add(head + ":");
        body.forEach(l -> out.add("    " + l));
    }

    /** The command's lines, or the request of an http step, or the other arguments. */
    private static List<String> body(StepSpec s) {
        if (s.args().get("command") instanceof String command) {
            List<String> lines = new ArrayList<>();
            for (String l : command.strip().split("\n", -1)) {
                if (!l.isBlank()) {
                    lines.add(l.stripTrailing());
                }
            }
            return lines;
        }
        if (s.args().get("url") instanceof String url) {
            String method = s.args().get("method") instanceof String m ? m : "GET";
            return List.of(method + " " + url);
        }
        return List.of(new TreeMap<>(s.args()).toString());
    }

    /**
     * The hosts, runs of one prefix with consecutive numbers of one width folded ({@code bm01..bm50}), at most
     * {@link #SHOWN_HOSTS} items then {@code and N more}, and the count when there is more than one.
     */
    static String hosts(List<String> hosts) {
        List<String> items = new ArrayList<>();
        int i = 0;
        while (i < hosts.size()) {
            int j = i;
            while (j + 1 < hosts.size() && follows(hosts.get(j), hosts.get(j + 1))) {
                j++;
            }
            if (j - i >= 2) {
                items.add(hosts.get(i) + ".." + hosts.get(j));
                i = j + 1;
            } else {
                items.add(hosts.get(i));
                i++;
            }
        }
        String shown;
        if (items.size() > SHOWN_HOSTS) {
            int rest = 0;
            for (String item : items.subList(SHOWN_HOSTS, items.size())) {
                rest += count(item, hosts);
            }
            shown = String.join(", ", items.subList(0, SHOWN_HOSTS)) + " and " + rest + " more";
        } else {
            shown = String.join(", ", items);
        }
        return hosts.size() == 1 ? shown : shown + " (" + hosts.size() + " hosts)";
    }

    private static int count(String item, List<String> hosts) {
        int dots = item.indexOf("..");
        if (dots < 0) {
            return 1;
        }
        return hosts.indexOf(item.substring(dots + 2)) - hosts.indexOf(item.substring(0, dots)) + 1;
    }

    /** True when {@code b} is {@code a} with its trailing number plus one, same prefix and width. */
    private static boolean follows(String a, String b) {
        Matcher ma = NUMBERED.matcher(a);
        Matcher mb = NUMBERED.matcher(b);
        if (!ma.matches() || !mb.matches() || !ma.group(1).equals(mb.group(1))
                || ma.group(2).length() != mb.group(2).length() || ma.group(2).length() > 9) {
            return false;
        }
        return Long.parseLong(mb.group(2)) == Long.parseLong(ma.group(2)) + 1;
    }
}
