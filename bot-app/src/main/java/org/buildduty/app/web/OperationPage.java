package org.buildduty.app.web;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.progress.Redactor;

/**
 * {@code /ops/<id>}: one operation's parameters, approvals, host runs and state; the log area is filled by
 * {@code /static/ops.js} from {@code /ops/<id>/events}, which also keeps the state and host rows live.
 *
 * <p>DOM contract (the browser test relies on it): {@code <span id="state">} holds the state label,
 * {@code <div id="log">} gets one {@code <div class="line" data-seq="N">} per output line, {@code <table id="hosts">}
 * has one row per host run, and {@code <span id="stream-status">} reads {@code live} while streaming and
 * {@code ended} after the {@code end} event.
 */
final class OperationPage {
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
        Redactor secrets = engine.secrets();
        OpView v = OpView.of(op, engine.api().history().hostRuns(op.id()), secrets);
        Instant now = engine.api().ticker().now();
        long n = op.id().value();
        String title = secrets.redact(op.plan().kind()) + " #" + n;
        StringBuilder sb = new StringBuilder(8192);
        sb.append("<h1>").append(Html.esc(title)).append("</h1>\n");
        sb.append("<p class=\"status ").append(Html.esc(op.state().name().toLowerCase(Locale.ROOT)))
                .append("\">state: <span id=\"state\">").append(Html.esc(v.state()))
                .append("</span> <span id=\"detail\">").append(Html.esc(v.detail())).append("</span></p>\n");
        sb.append("<p class=\"progress\">progress: <progress id=\"progress\" value=\"").append(v.done())
                .append("\" max=\"").append(Math.max(1, v.total())).append("\"></progress> <span id=\"count\">")
                .append(v.done()).append('/').append(v.total()).append("</span> ")
                .append(Html.esc(secrets.redact(op.plan().unit()))).append("</p>\n");
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

        approvals(sb, op, secrets);

        sb.append("<h2>Steps per host</h2>\n<table id=\"hosts\">\n<thead><tr><th>step</th><th>host</th>")
                .append("<th>state</th><th>exit code</th><th>started</th><th>duration</th><th>rollback</th></tr>")
                .append("</thead>\n<tbody>\n");
        for (OpView.HostView h : v.hostRuns()) {
            sb.append("<tr><td>").append(Html.esc(h.step())).append("</td><td>").append(Html.esc(h.host()))
                    .append("</td><td>").append(Html.esc(h.state())).append("</td><td>").append(Html.esc(h.exitCode()))
                    .append("</td><td>").append(Html.esc(h.started())).append("</td><td>")
                    .append(Html.esc(h.duration())).append("</td><td>").append(h.rollback() ? "rollback" : "")
                    .append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");

        sb.append("<h2>Output</h2>\n<p class=\"stream\">stream: <span id=\"stream-status\">connecting</span> ")
                .append("&middot; <a href=\"/ops/").append(n).append("/log\">plain text</a></p>\n")
                .append("<div id=\"log\"></div>\n");
        pruned.apply(op.id()).ifPresent(p -> {
            int space = p.indexOf(' ');
            String day = p.length() >= 10 ? p.substring(0, 10) : p;
            sb.append("<p id=\"pruned\">output pruned on ").append(Html.esc(day))
                    .append(space > 0 ? " (" + Html.esc(p.substring(space + 1)) + ")" : "").append("</p>\n");
        });
        return Html.page(title, "data-op=\"" + n + "\"", sb.toString(), "/static/ops.js");
    }

    private void approvals(StringBuilder sb, OperationRecord op, Redactor secrets) {
        sb.append("<h2>Approvals</h2>\n");
        Optional<PendingApproval> pending = engine.api().pendingApproval(op.id());
        if (op.plan().approval().isRequired()) {
            Optional<PendingApproval> start = pending.filter(p -> !p.confirm());
            sb.append("<p id=\"policy\">needs ").append(op.plan().approval().required()).append(" approval(s) by role ")
                    .append(Html.esc(op.plan().approval().role()));
            start.ifPresent(p -> sb.append("; ").append(p.missing()).append(" still missing, expires ")
                    .append(Html.esc(OpView.stamp(p.expiresAt()))));
            sb.append("</p>\n");
        }
        pending.filter(PendingApproval::confirm).ifPresent(p -> sb.append("<p id=\"confirm\">")
                .append(Html.esc(ApprovalWording.waiting(p))).append(": ")
                .append(Html.esc(secrets.redact(p.confirmStep().confirmMessage()))).append("</p>\n"));
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
