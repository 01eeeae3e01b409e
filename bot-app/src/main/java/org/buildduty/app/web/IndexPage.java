package org.buildduty.app.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.progress.Redactor;

/**
 * {@code /}: the operations that are running or waiting for approval, then every operation newest first,
 * {@value #PAGE} per page, older pages through {@code ?before=<id>}.
 */
final class IndexPage {
    static final int PAGE = 50;

    private final Engine engine;

    IndexPage(Engine engine) {
        this.engine = engine;
    }

    /** The page of operations with ids below {@code before} ({@code Long.MAX_VALUE} for the newest). */
    String render(long before) {
        JournalHistory journal = engine.api().history();
        Instant now = engine.api().ticker().now();
        StringBuilder body = new StringBuilder(8192);
        body.append("<h1>Operations</h1>\n");
        if (before == Long.MAX_VALUE) {
            List<OperationRecord> active = new ArrayList<>(journal.unfinished());
            active.sort(Comparator.comparing((OperationRecord r) -> r.id()).reversed());
            body.append("<h2>Running and waiting for approval</h2>\n");
            table(body, "active", active, now);
        }
        List<OperationRecord> recent = journal.recent(PAGE, before);
        body.append("<h2>").append(before == Long.MAX_VALUE ? "Recent" : "Older than #" + before).append("</h2>\n");
        table(body, "recent", recent, now);
        if (recent.size() == PAGE) {
            long last = recent.get(recent.size() - 1).id().value();
            body.append("<p class=\"paging\"><a id=\"older\" href=\"/?before=").append(last)
                    .append("\">older</a></p>\n");
        }
        if (before != Long.MAX_VALUE) {
            body.append("<p class=\"paging\"><a href=\"/\">newest</a></p>\n");
        }
        return Html.page("buildduty operations", null, body.toString(), null);
    }

    private void table(StringBuilder sb, String id, List<OperationRecord> ops, Instant now) {
        if (ops.isEmpty()) {
            sb.append("<p class=\"empty\" id=\"").append(id).append("-empty\">none</p>\n");
            return;
        }
        sb.append("<table id=\"").append(id).append("\" class=\"ops\">\n<thead><tr><th>id</th><th>operation</th>")
                .append("<th>requester</th><th>approvers</th><th>state</th><th>progress</th><th>duration</th>")
                .append("<th>created</th></tr></thead>\n<tbody>\n");
        Redactor secrets = engine.secrets();
        for (OperationRecord r : ops) {
            OpView v = OpView.of(r, engine.api().history().hostRuns(r.id()), secrets);
            long n = r.id().value();
            sb.append("<tr data-op=\"").append(n).append("\"><td><a href=\"/ops/").append(n).append("\">#")
                    .append(n).append("</a></td><td>").append(Html.esc(secrets.redact(r.plan().kind())));
            String params = secrets.redact(r.plan().paramSummary(secrets::redact));
            if (!params.isEmpty()) {
                sb.append(" <span class=\"params\">").append(Html.esc(params)).append("</span>");
            }
            sb.append("</td><td>").append(Html.esc(r.requester().principal())).append("</td><td>")
                    .append(Html.esc(approvers(r))).append("</td><td class=\"state ")
                    .append(Html.esc(r.state().name().toLowerCase(Locale.ROOT))).append("\">")
                    .append(Html.esc(r.state().label())).append(waiting(r)).append("</td><td>").append(progress(v))
                    .append("</td><td>").append(Html.esc(OpView.duration(r, now))).append("</td><td>")
                    .append(Html.esc(OpView.stamp(r.createdAt()))).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    /** For a queued operation, what it waits for: {@code <span class="waiting">queued 3m behind #17 (...)</span>}. */
    private String waiting(OperationRecord r) {
        if (r.state() != OperationState.QUEUED) {
            return "";
        }
        return engine.api().waitingFor(r.id())
                .map(w -> " <span class=\"waiting\">" + Html.esc(engine.secrets().redact(w)) + "</span>").orElse("");
    }

    /** Who approved, and how many approvals are still missing while it waits. */
    private String approvers(OperationRecord r) {
        String who = ApprovalRecord.standing(engine.api().history().approvals(r.id())).stream()
                .map(Identity::principal).collect(Collectors.joining(", "));
        if (r.state() == OperationState.PENDING_APPROVAL || r.state() == OperationState.WAITING) {
            Optional<PendingApproval> p = engine.api().pendingApproval(r.id());
            if (p.isPresent() && p.get().missing() > 0) {
                who = (who.isEmpty() ? "" : who + "; ") + p.get().missing() + " more needed";
            }
        }
        return who;
    }

    /** A progress bar (no inline style: the CSP allows none) and {@code done/total}. */
    static String progress(OpView v) {
        return "<progress value=\"" + v.done() + "\" max=\"" + Math.max(1, v.total()) + "\"></progress> <span "
                + "class=\"count\">" + v.done() + "/" + v.total() + "</span>";
    }
}
