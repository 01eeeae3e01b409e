package org.buildduty.app.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.progress.Redactor;

/**
 * {@code /ops/<id>}: one operation's state, queue or confirm wait, parameters, approvals, failed hosts (first, with
 * their exit code and last lines), then one folding section per step (name, state, hosts ok/failed, duration, its
 * host runs and its lines, each with time and host). Everything is readable without JavaScript: the lines so far are
 * in the page and {@code ?host=}/{@code ?failed=1} ({@link LineFilter}) narrow it through a GET form. {@code
 * /static/ops.js} then follows {@code /ops/<id>/events} from the page's last line and keeps it all live.
 *
 * <p>DOM contract (the browser test and ops.js rely on it): {@code <span id="state">} holds the state label,
 * {@code <progress id="progress">} has class {@code bad} once the operation failed, was cancelled or interrupted;
 * {@code <div id="log">} holds one {@code <details class="step" id="step-N" data-step="N">} per step (from 0), open
 * unless the step succeeded, whose {@code <summary>} has {@code .step-state}, {@code .step-hosts} and
 * {@code .step-duration}, whose {@code <table class="hosts" id="hosts-N">} (in a {@code <details class="runs">},
 * folded past {@value #FOLD_RUNS} hosts) has one row per host run, failed ones first ({@code data-run="N|host"}),
 * and whose {@code <div class="lines">} has one {@code <div class="line" data-seq="S" data-run="N|host">} per output
 * line ({@code <time>}, {@code <span class="host">}, {@code <span class="text">}); {@code <span id="stream-status">}
 * reads {@code live} while streaming and {@code ended} after the {@code end} event.
 */
final class OperationPage {
    /** Most lines put in the page itself; the rest follow live, and the plain log has them all. */
    static final int MAX_LINES = 2000;
    /** Lines of a failed host shown under "Failed hosts". */
    static final int LAST_LINES = 5;
    /** Most lines read for the failed hosts' last lines; past it a host shows the last line its result kept. */
    static final int MAX_SCAN = 200_000;
    /** A step's table of host runs is folded when it has more hosts than this. */
    static final int FOLD_RUNS = 10;

    private final Engine engine;
    private final Function<OperationId, Optional<String>> pruned;

    OperationPage(Engine engine) {
        this(engine, id -> Optional.empty());
    }

    /** @param pruned when and by what rule an operation's output was pruned ({@code <instant> <rule>}) */
    OperationPage(Engine engine, Function<OperationId, Optional<String>> pruned) {
        this.engine = engine;
        this.pruned = pruned;
    }

    String render(OperationRecord op) {
        return render(op, LineFilter.ALL);
    }

    String render(OperationRecord op, LineFilter filter) {
        Redactor secrets = engine.secrets();
        JournalHistory journal = engine.api().history();
        String queue = op.state().isTerminal() ? "" : engine.api().waitingFor(op.id()).orElse("");
        OpView v = OpView.of(op, journal.hostRuns(op.id()), secrets, queue);
        Instant now = engine.api().ticker().now();
        long n = op.id().value();
        String title = secrets.redact(op.plan().kind()) + " #" + n;
        Optional<PendingApproval> pending = engine.api().pendingApproval(op.id());
        StringBuilder sb = new StringBuilder(8192);
        sb.append("<h1>").append(Html.esc(title)).append("</h1>\n");
        sb.append("<p class=\"status ").append(Html.esc(op.state().name().toLowerCase(Locale.ROOT)))
                .append("\">state: <span id=\"state\">").append(Html.esc(v.state()))
                .append("</span> <span id=\"detail\">").append(Html.esc(v.detail())).append("</span></p>\n");
        sb.append("<p id=\"queue\" class=\"waiting\"").append(v.queue().isEmpty() ? " hidden" : "").append('>')
                .append(Html.esc(v.queue())).append("</p>\n");
        pending.filter(PendingApproval::confirm).ifPresent(p -> sb.append("<p id=\"confirm\" class=\"waiting\">")
                .append(Html.esc(ApprovalWording.waiting(p))).append(": ")
                .append(Html.esc(secrets.redact(p.confirmStep().confirmMessage()))).append("</p>\n"));
        sb.append("<p class=\"progress\">progress: <progress id=\"progress\"").append(v.bad() ? " class=\"bad\"" : "")
                .append(" value=\"").append(v.done()).append("\" max=\"").append(Math.max(1, v.total()))
                .append("\"></progress> <span id=\"count\">").append(v.done()).append('/').append(v.total())
                .append("</span> ").append(Html.esc(secrets.redact(op.plan().unit())))
                .append(" <span id=\"failed-count\"")
                .append(v.failed() == 0 ? " hidden" : "").append('>').append(v.failed()).append(" failed</span></p>\n");
        sb.append("<table id=\"summary\" class=\"kv\">\n");
        row(sb, "requested by", op.requester().toString(), "requester");
        row(sb, "in", op.origin().toString(), "origin");
        row(sb, "created", OpView.stamp(op.createdAt()), "created");
        row(sb, "started", OpView.stamp(op.startedAt()), "started");
        row(sb, "ended", OpView.stamp(op.endedAt()), "ended");
        row(sb, "duration", OpView.duration(op, now), "duration");
        sb.append("</table>\n");

        sb.append("<h2>Parameters</h2>\n");
        Map<String, String> params = op.plan().params();
        if (params.isEmpty()) {
            sb.append("<p class=\"empty\">none</p>\n");
        } else {
            sb.append("<table id=\"params\" class=\"kv\">\n");
            params.forEach((k, val) -> row(sb, secrets.redact(k), secrets.redact(val)));
            sb.append("</table>\n");
        }

        approvals(sb, op, pending, secrets);

        Output out = output(op, v, filter, secrets);
        failedHosts(sb, v, filter, out);
        sb.append("<h2 id=\"output\">Steps and output</h2>\n");
        filterForm(sb, op, v, filter);
        sb.append("<p class=\"stream\">stream: <span id=\"stream-status\">connecting</span> ")
                .append("&middot; <a id=\"plain\" href=\"/ops/").append(n).append("/log")
                .append(Html.esc(filter.query())).append("\">plain text</a> &middot; times in UTC</p>\n");
        sb.append("<div id=\"log\">\n");
        for (OpView.StepView step : v.steps()) {
            step(sb, step, v, filter, out.lines().get(step.index()));
        }
        sb.append("</div>\n");
        if (out.truncated()) {
            sb.append("<p id=\"more\">The page holds the first ").append(MAX_LINES).append(" lines; the rest follow")
                    .append(" live, and the <a href=\"/ops/").append(n).append("/log").append(Html.esc(filter.query()))
                    .append("\">plain text</a> has them all.</p>\n");
        }
        pruned.apply(op.id()).ifPresent(p -> {
            int space = p.indexOf(' ');
            String day = p.length() >= 10 ? p.substring(0, 10) : p;
            sb.append("<p id=\"pruned\">output pruned on ").append(Html.esc(day))
                    .append(space > 0 ? " (" + Html.esc(p.substring(space + 1)) + ")" : "").append("</p>\n");
        });
        String attrs = "data-op=\"" + n + "\" data-after=\"" + out.after() + "\" data-rendered=\"" + out.rendered()
                + "\""
                + (filter.host().isEmpty() ? "" : " data-host=\"" + Html.esc(filter.host()) + "\"")
                + (filter.failedOnly() ? " data-failed=\"1\"" : "");
        return Html.page(title, attrs, sb.toString(), "/static/ops.js");
    }

    /**
     * The lines the page holds, per step, as HTML; the seq the live stream resumes after; whether lines were left
     * out; and the last lines of each failed run (by {@link LineFilter#runKey}).
     */
    private record Output(List<StringBuilder> lines, long after, long rendered, boolean truncated,
            Map<String, Deque<String>> last) {
    }

    private Output output(OperationRecord op, OpView v, LineFilter filter, Redactor secrets) {
        JournalHistory journal = engine.api().history();
        int steps = op.plan().steps().size();
        List<StringBuilder> lines = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            lines.add(new StringBuilder());
        }
        Set<String> failed = LineFilter.failedRuns(v);
        Map<String, Deque<String>> last = new HashMap<>();
        for (OpView.HostView h : v.hostRuns()) {
            if (h.failed() && filter.admitsRun(h.host(), true)) {
                last.put(LineFilter.runKey(h.stepIndex(), h.host()), new ArrayDeque<>());
            }
        }
        List<String> names = v.steps().stream().map(OpView.StepView::name).toList();
        // with "failed only", a run still running may fail yet: the live view gets its lines from its first one on
        Set<String> running = new HashSet<>();
        if (filter.failedOnly()) {
            v.hostRuns().stream().filter(h -> !h.rollback() && h.state().startsWith("running"))
                    .forEach(h -> running.add(LineFilter.runKey(h.stepIndex(), h.host())));
        }
        long stall = -1;
        long rendered = 0;
        long cursor = 0;
        long after = 0;
        int shown = 0;
        int scanned = 0;
        boolean truncated = false;
        while (true) {
            List<OutputLine> page = journal.output(op.id(), cursor, LogStreams.PAGE);
            for (OutputLine l : page) {
                cursor = l.seq();
                scanned++;
                String host = OpView.host(l.host());
                Deque<String> tail = last.get(LineFilter.runKey(l.stepIndex(), host));
                if (tail != null) {
                    if (tail.size() == LAST_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(secrets.redact(l.line()));
                }
                if (truncated) {
                    continue;
                }
                if (!filter.admits(l, failed)) {
                    if (stall < 0 && running.contains(LineFilter.runKey(l.stepIndex(), host))) {
                        stall = l.seq() - 1;
                    }
                    after = l.seq();
                    continue;
                }
                if (shown == MAX_LINES) {
                    truncated = true;
                    continue;
                }
                int step = Math.max(0, Math.min(steps - 1, l.stepIndex()));
                line(lines.get(step), l, host, names.isEmpty() ? "" : names.get(step), secrets);
                shown++;
                after = l.seq();
                rendered = l.seq();
            }
            if (page.size() < LogStreams.PAGE || (truncated && (last.isEmpty() || scanned >= MAX_SCAN))) {
                break;
            }
        }
        return new Output(lines, stall >= 0 ? Math.min(stall, after) : after, rendered, truncated, last);
    }

    /** One output line: {@code <time>} (UTC, full instant in its title), host, text; stderr marked. */
    private static void line(StringBuilder sb, OutputLine l, String host, String step, Redactor secrets) {
        boolean stderr = l.stream() == OutputChannel.STDERR;
        sb.append("<div class=\"line").append(stderr ? " stderr" : "").append("\" data-seq=\"").append(l.seq())
                .append("\" data-run=\"").append(Html.esc(LineFilter.runKey(l.stepIndex(), host))).append("\">")
                .append("<time datetime=\"").append(l.at() == null ? "" : l.at()).append("\" title=\"")
                .append(Html.esc(OpView.stamp(l.at()) + " " + step)).append("\">").append(OpView.clock(l.at()))
                .append("</time> <span class=\"host\">").append(Html.esc(host)).append("</span> <span class=\"text\">")
                .append(Html.esc(secrets.redact(l.line()))).append("</span></div>\n");
    }

    /** Failed hosts first: each failed run (of the filtered hosts) with its step, exit code, reason and last lines. */
    private static void failedHosts(StringBuilder sb, OpView v, LineFilter filter, Output out) {
        List<OpView.HostView> failed = v.hostRuns().stream().filter(h -> h.failed() && filter.admitsRun(h.host(), true))
                .toList();
        sb.append("<section id=\"failed-hosts\"").append(failed.isEmpty() ? " hidden" : "")
                .append(">\n<h2>Failed hosts</h2>\n<ul id=\"failed-list\">\n");
        for (OpView.HostView h : failed) {
            String key = LineFilter.runKey(h.stepIndex(), h.host());
            sb.append("<li data-run=\"").append(Html.esc(key)).append("\"><a class=\"host\" href=\"?host=")
                    .append(Html.esc(URLEncoder.encode(h.host(), StandardCharsets.UTF_8))).append("\">")
                    .append(Html.esc(h.host())).append("</a> <span class=\"failed-step\">step ")
                    .append(h.stepIndex() + 1).append(' ').append(Html.esc(h.step())).append("</span>: <span ")
                    .append("class=\"failed-state\">").append(Html.esc(h.state()))
                    .append(h.exitCode().isEmpty() ? "" : ", exit " + Html.esc(h.exitCode())).append("</span>");
            if (!h.reason().isEmpty()) {
                sb.append(" <span class=\"reason\">").append(Html.esc(h.reason())).append("</span>");
            }
            Deque<String> tail = out.last().get(key);
            String lines = tail != null && !tail.isEmpty() ? String.join("\n", tail) : h.lastLine();
            if (!lines.isEmpty()) {
                sb.append("\n<pre class=\"last\">").append(Html.esc(lines)).append("</pre>");
            }
            sb.append("</li>\n");
        }
        sb.append("</ul>\n</section>\n");
    }

    /** A GET form: one host (from the plan and the runs) and "failed only"; works without JavaScript. */
    private static void filterForm(StringBuilder sb, OperationRecord op, OpView v, LineFilter filter) {
        Set<String> hosts = new LinkedHashSet<>();
        for (StepSpec s : op.plan().steps()) {
            if (s.hosts().isEmpty() && !s.isConfirm()) {
                hosts.add("local");
            }
            hosts.addAll(s.hosts());
        }
        v.hostRuns().forEach(h -> hosts.add(h.host()));
        if (!filter.host().isEmpty()) {
            hosts.add(filter.host());
        }
        long n = op.id().value();
        sb.append("<form id=\"filter\" class=\"filter\" method=\"get\" action=\"/ops/").append(n)
                .append("\">\n<label>host <select name=\"host\" id=\"host-filter\">\n")
                .append("<option value=\"\">all hosts</option>\n");
        for (String h : hosts) {
            sb.append("<option").append(h.equals(filter.host()) ? " selected" : "").append('>').append(Html.esc(h))
                    .append("</option>\n");
        }
        sb.append("</select></label>\n<label><input type=\"checkbox\" name=\"failed\" value=\"1\" id=\"failed-filter\"")
                .append(filter.failedOnly() ? " checked" : "").append("> failed only</label>\n")
                .append("<button type=\"submit\">show</button>\n");
        if (filter.any()) {
            sb.append("<a id=\"clear-filter\" href=\"/ops/").append(n).append("\">all hosts and lines</a>\n");
        }
        sb.append("</form>\n");
    }

    /** One step's section: folded when it succeeded; its host runs (filtered) and its lines. */
    private static void step(StringBuilder sb, OpView.StepView step, OpView v, LineFilter filter, StringBuilder lines) {
        int i = step.index();
        String cls = step.state().replace(' ', '_');
        sb.append("<details class=\"step ").append(Html.esc(cls)).append("\" id=\"step-").append(i)
                .append("\" data-step=\"").append(i).append('"').append(folded(step) ? "" : " open")
                .append(">\n<summary><span class=\"step-name\">").append(i + 1).append(". ")
                .append(Html.esc(step.name()))
                .append("</span> <span class=\"step-state\">").append(Html.esc(step.state()))
                .append("</span> <span class=\"step-hosts\">").append(Html.esc(stepHosts(step)))
                .append("</span> <span class=\"step-duration\">").append(Html.esc(step.duration()))
                .append("</span></summary>\n");
        List<OpView.HostView> runs = new ArrayList<>();
        v.hostRuns().stream().filter(h -> h.stepIndex() == i && h.failed() && filter.admitsRun(h.host(), true))
                .forEach(runs::add);
        v.hostRuns().stream().filter(h -> h.stepIndex() == i && !h.failed() && filter.admitsRun(h.host(), false))
                .forEach(runs::add);
        if (step.total() > 0) {
            runs(sb, step, runs);
        }
        sb.append("<div class=\"lines\" id=\"lines-").append(i).append("\">")
                .append(lines).append("</div>\n</details>\n");
    }

    /** A step's host runs, in a {@code <details>} of their own. */
    private static void runs(StringBuilder sb, OpView.StepView step, List<OpView.HostView> runs) {
        int i = step.index();
        // a long table of hosts is folded in its turn, so that the lines stay near the step's summary
        sb.append("<details class=\"runs\" id=\"runs-").append(i).append('"')
                .append(step.total() <= FOLD_RUNS ? " open" : "").append("><summary>host runs</summary>\n")
                .append("<table class=\"hosts\" id=\"hosts-").append(i).append("\">\n<thead><tr><th>host</th>")
                .append("<th>state</th><th>exit code</th><th>started</th><th>duration</th><th>rollback</th></tr>")
                .append("</thead>\n<tbody>\n");
        for (OpView.HostView h : runs) {
            sb.append("<tr data-run=\"").append(Html.esc(LineFilter.runKey(i, h.host()))).append('"')
                    .append(h.failed() ? " class=\"failed\"" : "").append("><td><a href=\"?host=")
                    .append(Html.esc(URLEncoder.encode(h.host(), StandardCharsets.UTF_8))).append("\">")
                    .append(Html.esc(h.host())).append("</a></td><td>").append(Html.esc(h.state())).append("</td><td>")
                    .append(Html.esc(h.exitCode())).append("</td><td>").append(Html.esc(h.started()))
                    .append("</td><td>")
                    .append(Html.esc(h.duration())).append("</td><td>").append(h.rollback() ? "rollback" : "")
                    .append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n</details>\n");
    }

    /** A step that succeeded, or a confirm step that was confirmed, starts folded. */
    static boolean folded(OpView.StepView s) {
        return s.state().equals("succeeded") || s.state().equals("confirmed");
    }

    /** {@code 3 ok, 1 failed of 4 hosts}; empty for a confirm step. */
    static String stepHosts(OpView.StepView s) {
        if (s.total() == 0) {
            return "";
        }
        return s.ok() + " ok" + (s.failed() > 0 ? ", " + s.failed() + " failed" : "") + " of " + s.total()
                + (s.total() == 1 ? " host" : " hosts");
    }

    private void approvals(StringBuilder sb, OperationRecord op, Optional<PendingApproval> pending,
            Redactor secrets) {
        sb.append("<h2>Approvals</h2>\n");
        if (op.plan().approval().isRequired()) {
            Optional<PendingApproval> start = pending.filter(p -> !p.confirm());
            sb.append("<p id=\"policy\">needs ").append(op.plan().approval().required()).append(" approval(s) by role ")
                    .append(Html.esc(op.plan().approval().role()));
            start.ifPresent(p -> sb.append("; ").append(p.missing()).append(" still missing, expires ")
                    .append(Html.esc(OpView.stamp(p.expiresAt()))));
            sb.append("</p>\n");
        }
        List<ApprovalRecord> events = engine.api().history().approvals(op.id());
        if (events.isEmpty()) {
            sb.append("<p class=\"empty\">none</p>\n");
            return;
        }
        sb.append("<table id=\"approvals\">\n<thead><tr><th>what</th><th>who</th><th>when</th><th>reason</th></tr>")
                .append("</thead>\n<tbody>\n");
        for (ApprovalRecord a : events) {
            sb.append("<tr><td>").append(Html.esc(a.kind().name().toLowerCase(Locale.ROOT)
                    + (a.confirm() ? " (step " + (a.step() + 1) + ")" : ""))).append("</td><td>")
                    .append(Html.esc(a.who() == null ? "" : a.who().toString())).append("</td><td>")
                    .append(Html.esc(OpView.stamp(a.at()))).append("</td><td>")
                    .append(Html.esc(a.reason() == null ? "" : secrets.redact(a.reason()))).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    private static void row(StringBuilder sb, String key, String value) {
        row(sb, key, value, null);
    }

    /** A row; a non-null {@code id} names the value cell, for the page's script to update. */
    private static void row(StringBuilder sb, String key, String value, String id) {
        sb.append("<tr><th>").append(Html.esc(key)).append("</th><td")
                .append(id == null ? "" : " id=\"" + id + "\"").append('>').append(Html.esc(value))
                .append("</td></tr>\n");
    }
}
