package org.buildduty.app.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.Schedule;
import org.buildduty.core.journal.OperationQuery;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.time.Times;

/**
 * {@code /runbooks}: every runbook the bot runs now (the list a live reload installed), by name, with its parameters
 * (name, type, default, required, choices, description), who may start it and where, its approval policy, its
 * exclusion ({@code exclusive}, {@code locks}, {@code on_conflict}), its schedule and next due time, and its last
 * runs from the journal: how many of the last {@value #RUNS} ended, the share that succeeded, the median duration,
 * and the newest few, linked. Every value is redacted with the configured secrets and escaped.
 */
final class RunbooksPage {
    /** How many ended runs the figures are over. */
    static final int RUNS = 50;
    /** How many of them are listed. */
    static final int LISTED = 5;

    private final Engine engine;
    private final Supplier<List<Runbook>> runbooks;

    RunbooksPage(Engine engine, Supplier<List<Runbook>> runbooks) {
        this.engine = engine;
        this.runbooks = runbooks;
    }

    /** The figures of the last ended runs of one kind. */
    record Runs(int ended, int succeeded, Optional<Duration> median, int live, List<OperationRecord> newest) {
        /** {@code 75%}, or {@code -} with no ended run. */
        String rate() {
            return ended == 0 ? "-" : Math.round(100.0 * succeeded / ended) + "%";
        }
    }

    /** The figures of {@code kind} from the journal. */
    Runs runs(String kind) {
        Set<OperationState> ended = EnumSet.noneOf(OperationState.class);
        Set<OperationState> live = EnumSet.noneOf(OperationState.class);
        for (OperationState s : OperationState.values()) {
            (s.isTerminal() ? ended : live).add(s);
        }
        OperationQuery q = OperationQuery.newest(RUNS).withKind(kind);
        List<OperationRecord> last = engine.api().history().find(q.withStates(ended));
        int liveCount = engine.api().history().find(q.withStates(live).withLimit(IndexPage.LIVE_MAX)).size();
        int ok = (int) last.stream().filter(r -> r.state() == OperationState.SUCCEEDED).count();
        return new Runs(last.size(), ok, median(last), liveCount, last.subList(0, Math.min(LISTED, last.size())));
    }

    /** The median time from start to end of the runs that started; empty when none did. */
    static Optional<Duration> median(List<OperationRecord> runs) {
        List<Duration> took = runs.stream().filter(r -> r.startedAt() != null && r.endedAt() != null)
                .map(r -> Duration.between(r.startedAt(), r.endedAt())).sorted().toList();
        if (took.isEmpty()) {
            return Optional.empty();
        }
        int mid = took.size() / 2;
        return Optional.of(took.size() % 2 == 1 ? took.get(mid) : took.get(mid - 1).plus(took.get(mid)).dividedBy(2));
    }

    String render() {
        Redactor secrets = engine.secrets();
        List<Runbook> all = new ArrayList<>(runbooks.get());
        all.sort(Comparator.comparing(Runbook::name));
        StringBuilder sb = new StringBuilder(8192);
        sb.append("<h1>Runbooks</h1>\n");
        if (all.isEmpty()) {
            sb.append("<p class=\"empty\" id=\"runbooks-empty\">no runbook is loaded (bot.runbooks)</p>\n");
            return Html.page("buildduty runbooks", null, sb.toString(), null);
        }
        sb.append("<nav class=\"toc\"><ul>");
        for (Runbook rb : all) {
            sb.append("<li><a href=\"#rb-").append(Html.esc(rb.name())).append("\">").append(Html.esc(rb.name()))
                    .append("</a></li>");
        }
        sb.append("</ul></nav>\n");
        Instant now = engine.api().ticker().now();
        for (Runbook rb : all) {
            runbook(sb, rb, secrets, now);
        }
        return Html.page("buildduty runbooks", null, sb.toString(), null);
    }

    private void runbook(StringBuilder sb, Runbook rb, Redactor secrets, Instant now) {
        String name = Html.esc(rb.name());
        sb.append("<section class=\"runbook\" id=\"rb-").append(name).append("\">\n<h2>").append(name);
        if (!rb.alias().isEmpty()) {
            sb.append(" <span class=\"alias\">(alias ").append(Html.esc(rb.alias())).append(")</span>");
        }
        sb.append("</h2>\n");
        if (!rb.description().isEmpty()) {
            sb.append("<p class=\"description\">").append(Html.esc(secrets.redact(rb.description()))).append("</p>\n");
        }
        sb.append("<table class=\"kv\">\n");
        kv(sb, "usage", "run " + rb.name() + (rb.params().isEmpty() ? "" : " " + rb.synopsis()), secrets);
        kv(sb, "role", rb.role().isEmpty() || Runbook.ANYONE.equals(rb.role()) ? "anyone" : rb.role(), secrets);
        kv(sb, "approval", approval(rb.approval()), secrets);
        kv(sb, "exclusion", exclusion(rb.exclusion()), secrets);
        kv(sb, "schedule", rb.scheduled().map(s -> schedule(s, now)).orElse("none"), secrets);
        kv(sb, "rooms", rb.rooms().isEmpty() ? "any" : String.join(", ", rb.rooms()), secrets);
        kv(sb, "on restart", rb.onRestart().name().toLowerCase(Locale.ROOT), secrets);
        kv(sb, "steps", rb.steps().size() + " (" + rb.unit() + ")", secrets);
        sb.append("</table>\n");
        params(sb, rb, secrets);
        lastRuns(sb, rb, secrets);
        sb.append("</section>\n");
    }

    private static void kv(StringBuilder sb, String key, String value, Redactor secrets) {
        sb.append("<tr><th>").append(Html.esc(key)).append("</th><td class=\"").append(key.replace(' ', '-'))
                .append("\">").append(Html.esc(secrets.redact(value))).append("</td></tr>\n");
    }

    /** {@code 2 of releng (the requester may approve), expires after 15m}, or {@code none}. */
    static String approval(ApprovalPolicy a) {
        if (!a.isRequired()) {
            return "none";
        }
        return a.required() + " of " + a.role() + (a.selfApprove() ? " (the requester may approve)"
                : " (not the requester)") + ", expires after " + Times.elapsed(a.timeout());
    }

    /** {@code exclusive: hosts; locks: db, net; on_conflict: refuse}. */
    static String exclusion(Exclusion e) {
        String exclusive = e.hosts() ? "hosts" : e.runbook() ? "runbook" : "none";
        return "exclusive: " + exclusive + (e.locks().isEmpty() ? "" : "; locks: " + String.join(", ", e.locks()))
                + "; on_conflict: " + (e.refuse() ? "refuse" : "queue");
    }

    /** {@code 0 6 * * 1 (UTC) with masters=all; on_overlap: skip; misfire: skip; next 2026-12-07 06:00:00Z}. */
    static String schedule(Schedule s, Instant now) {
        StringBuilder sb = new StringBuilder(s.cron()).append(" (").append(s.zone().getId()).append(')');
        if (!s.params().isEmpty()) {
            sb.append(" with ").append(new TreeMap<>(s.params()).entrySet().stream().map(Map.Entry::toString)
                    .collect(Collectors.joining(" ")));
        }
        sb.append("; on_overlap: ").append(s.onOverlap().name().toLowerCase(Locale.ROOT)).append("; misfire: ")
                .append(s.misfire().name().toLowerCase(Locale.ROOT));
        if (s.notifyTarget() != null && !s.notifyTarget().isEmpty()) {
            sb.append("; notify: ").append(s.notifyTarget());
        }
        s.next(now).ifPresent(t -> sb.append("; next ").append(OpView.stamp(t)));
        return sb.toString();
    }

    private static void params(StringBuilder sb, Runbook rb, Redactor secrets) {
        if (rb.params().isEmpty()) {
            sb.append("<p class=\"params empty\">no parameters</p>\n");
            return;
        }
        sb.append("<table class=\"params\">\n<thead><tr><th>parameter</th><th>type</th><th>default</th>")
                .append("<th>required</th><th>description</th></tr></thead>\n<tbody>\n");
        for (ParamSpec p : rb.params()) {
            String type = p.type().name().toLowerCase(Locale.ROOT) + (p.choices().isEmpty() ? ""
                    : " (" + String.join(", ", p.choices()) + ")");
            if (p.min() != null || p.max() != null) {
                type += " " + (p.min() == null ? "" : p.min()) + ".." + (p.max() == null ? "" : p.max());
            }
            sb.append("<tr><td data-label=\"parameter\">--").append(Html.esc(Runbook.option(p)))
                    .append("</td><td data-label=\"type\">").append(Html.esc(secrets.redact(type)))
                    .append("</td><td data-label=\"default\">")
                    .append(p.defaultValue() == null ? "" : Html.esc(secrets.redact(p.defaultValue())))
                    .append("</td><td data-label=\"required\">").append(p.required() ? "yes" : "no")
                    .append("</td><td data-label=\"description\">").append(Html.esc(secrets.redact(p.description())))
                    .append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    private void lastRuns(StringBuilder sb, Runbook rb, Redactor secrets) {
        Runs r = runs(rb.name());
        sb.append("<p class=\"runs\"><span class=\"ended\">").append(r.ended()).append(r.ended() == RUNS
                ? " (the last " + RUNS + ")" : "").append(" ended</span>, <span class=\"rate\">").append(r.rate())
                .append(" succeeded</span>, <span class=\"median\">median ")
                .append(r.median().map(Times::elapsed).orElse("-")).append("</span>");
        if (r.live() > 0) {
            sb.append(", <span class=\"live\">").append(r.live()).append(" not ended</span>");
        }
        sb.append(" <a class=\"all\" href=\"/?kind=").append(Html.esc(URLEncoder.encode(rb.name(),
                StandardCharsets.UTF_8))).append("\">all runs</a></p>\n");
        if (r.newest().isEmpty()) {
            return;
        }
        sb.append("<ul class=\"last-runs\">");
        for (OperationRecord op : r.newest()) {
            sb.append("<li><a href=\"").append(IndexPage.link(op.id())).append("\">").append(op.id())
                    .append("</a> <span class=\"state ").append(IndexPage.stateClass(op.state())).append("\">")
                    .append(Html.esc(op.state().label())).append("</span> ")
                    .append(Html.esc(OpView.stamp(op.createdAt()))).append(" by ")
                    .append(Html.esc(secrets.redact(op.requester().principal()))).append("</li>");
        }
        sb.append("</ul>\n");
    }
}
