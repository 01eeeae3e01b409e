package org.buildduty.app.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.OperationQuery;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.progress.Redactor;

/**
 * {@code /}: one list of operations. Those not ended come first (waiting for approval or at a confirm step, then
 * queued, then running or rolling back), then the ended ones newest first, {@value #PAGE} per page, older pages
 * through {@code ?before=<id>}; each operation appears once. A {@code <form method=get>} filters by kind
 * ({@code kind}), requester ({@code requester}), state ({@code state}), creation date ({@code from}, {@code to},
 * UTC days, both included) and words in the parameters ({@code q}), all in the journal's query
 * ({@link JournalHistory#find}); the parameters are searched as the page shows them, redacted.
 */
final class IndexPage {
    static final int PAGE = 50;
    /** At most this many operations not ended are listed (the rest are not lost: filter by state to page them). */
    static final int LIVE_MAX = 200;
    /** The order of the operations not ended: those waiting for people first. */
    private static final List<OperationState> LIVE_ORDER = List.of(OperationState.PENDING_APPROVAL,
            OperationState.WAITING, OperationState.QUEUED, OperationState.RUNNING, OperationState.ROLLING_BACK);

    private final Engine engine;
    private final Supplier<List<Runbook>> runbooks;

    IndexPage(Engine engine, Supplier<List<Runbook>> runbooks) {
        this.engine = engine;
        this.runbooks = runbooks;
    }

    /**
     * What the form asks for, read from the query string; a value that does not read (a date that is not
     * {@code 2026-12-01}, an unknown state) is ignored and named in {@code problems}.
     */
    record Filters(String kind, String requester, Optional<OperationState> state, Optional<LocalDate> from,
            Optional<LocalDate> to, String text, long before, List<String> problems) {

        static Filters read(Function<String, String> param) {
            List<String> problems = new ArrayList<>();
            Optional<OperationState> state = Optional.empty();
            String s = value(param, "state");
            if (!s.isEmpty()) {
                try {
                    state = Optional.of(OperationState.valueOf(s.toUpperCase(Locale.ROOT).replace(' ', '_')
                            .replace('-', '_')));
                } catch (IllegalArgumentException e) {
                    problems.add("state: no state is called \"" + s + "\"");
                }
            }
            return new Filters(value(param, "kind"), value(param, "requester"), state, date(param, "from", problems),
                    date(param, "to", problems), value(param, "q"), WebServer.before(param.apply("before")),
                    List.copyOf(problems));
        }

        private static String value(Function<String, String> param, String name) {
            String v = param.apply(name);
            return v == null ? "" : v.strip();
        }

        private static Optional<LocalDate> date(Function<String, String> param, String name, List<String> problems) {
            String v = value(param, name);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(LocalDate.parse(v));
            } catch (DateTimeParseException e) {
                problems.add(name + ": expected a date like 2026-12-01, not \"" + v + "\"");
                return Optional.empty();
            }
        }

        boolean any() {
            return !kind.isEmpty() || !requester.isEmpty() || state.isPresent() || from.isPresent()
                    || to.isPresent() || !text.isEmpty();
        }

        /** The query of these filters over {@code states} (narrowed to the chosen state), redacting with secrets. */
        OperationQuery query(Set<OperationState> states, Redactor secrets, int limit) {
            Set<OperationState> wanted = EnumSet.noneOf(OperationState.class);
            wanted.addAll(states);
            state.ifPresent(s -> wanted.retainAll(Set.of(s)));
            return OperationQuery.newest(limit).withKind(kind).withRequester(requester).withStates(wanted)
                    .withCreated(from.map(d -> d.atStartOfDay(ZoneOffset.UTC).toInstant()).orElse(null),
                            to.map(d -> d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).orElse(null))
                    .withText(text, secrets::redact).withBefore(before);
        }

        /** The query string of these filters and {@code before} ({@code Long.MAX_VALUE}: none), for links. */
        String link(long beforeId) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("kind", kind);
            q.put("requester", requester);
            q.put("state", state.map(s -> s.name().toLowerCase(Locale.ROOT)).orElse(""));
            q.put("from", from.map(LocalDate::toString).orElse(""));
            q.put("to", to.map(LocalDate::toString).orElse(""));
            q.put("q", text);
            q.put("before", beforeId == Long.MAX_VALUE ? "" : Long.toString(beforeId));
            String query = q.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            return "/" + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /** The page for these filters. */
    String render(Filters filters) {
        JournalHistory journal = engine.api().history();
        Instant now = engine.api().ticker().now();
        Redactor secrets = engine.secrets();
        Set<OperationState> live = EnumSet.noneOf(OperationState.class);
        Set<OperationState> ended = EnumSet.noneOf(OperationState.class);
        for (OperationState s : OperationState.values()) {
            (s.isTerminal() ? ended : live).add(s);
        }
        List<OperationRecord> rows = new ArrayList<>();
        boolean first = filters.before() == Long.MAX_VALUE;
        boolean liveWanted = filters.state().map(s -> !s.isTerminal()).orElse(true);
        boolean endedWanted = filters.state().map(OperationState::isTerminal).orElse(true);
        int liveCount = 0;
        if (first && liveWanted) {
            List<OperationRecord> active = new ArrayList<>(journal.find(filters.query(live, secrets, LIVE_MAX)));
            active.sort(Comparator.comparingInt((OperationRecord r) -> LIVE_ORDER.indexOf(r.state()))
                    .thenComparing(Comparator.comparingLong((OperationRecord r) -> r.id().value()).reversed()));
            rows.addAll(active);
            liveCount = active.size();
        }
        // live operations are listed above, on the first page, whatever their id: pages count ended ones only
        List<OperationRecord> older = endedWanted ? journal.find(filters.query(ended, secrets, PAGE)) : List.of();
        rows.addAll(older);

        StringBuilder body = new StringBuilder(8192);
        body.append("<h1>Operations</h1>\n");
        form(body, filters, rows);
        for (String p : filters.problems()) {
            body.append("<p class=\"problem\">").append(Html.esc(p)).append("</p>\n");
        }
        body.append("<p id=\"summary\">").append(summary(filters, first && liveWanted, liveCount, endedWanted,
                older.size())).append("</p>\n");
        table(body, rows, now, secrets);
        if (older.size() == PAGE) {
            long last = older.get(older.size() - 1).id().value();
            body.append("<p class=\"paging\"><a id=\"older\" href=\"").append(Html.esc(filters.link(last)))
                    .append("\">older</a></p>\n");
        }
        if (!first) {
            body.append("<p class=\"paging\"><a id=\"newest\" href=\"")
                    .append(Html.esc(filters.link(Long.MAX_VALUE))).append("\">newest</a></p>\n");
        }
        return Html.page("buildduty operations", null, body.toString(), null);
    }

    private static String summary(Filters filters, boolean liveShown, int live, boolean endedShown, int ended) {
        List<String> parts = new ArrayList<>();
        if (liveShown) {
            parts.add(live + " not ended");
        }
        if (endedShown) {
            parts.add(ended + " ended" + (filters.before() == Long.MAX_VALUE ? ""
                    : " older than #" + filters.before()));
        }
        String what = String.join(", ", parts);
        return Html.esc(filters.any() ? what + " matching the filters" : what);
    }

    /** The filter form: plain GET, every field labelled, so it works without script and from the keyboard. */
    private void form(StringBuilder sb, Filters f, List<OperationRecord> shown) {
        Set<String> kinds = new TreeSet<>();
        runbooks.get().forEach(r -> kinds.add(r.name()));
        shown.forEach(r -> kinds.add(r.plan().kind()));
        sb.append("<form id=\"filters\" class=\"filters\" method=\"get\" action=\"/\" role=\"search\">\n");
        field(sb, "kind", "runbook or command", "text", f.kind(), " list=\"kinds\" autocomplete=\"off\"");
        sb.append("<datalist id=\"kinds\">");
        kinds.forEach(k -> sb.append("<option value=\"").append(Html.esc(engine.secrets().redact(k)))
                .append("\"></option>"));
        sb.append("</datalist>\n");
        field(sb, "requester", "requester", "text", f.requester(), " placeholder=\"alice\"");
        sb.append("<label for=\"f-state\">state</label> <select id=\"f-state\" name=\"state\"><option value=\"\">"
                + "any</option>");
        for (OperationState s : OperationState.values()) {
            String v = s.name().toLowerCase(Locale.ROOT);
            sb.append("<option value=\"").append(v).append('"')
                    .append(f.state().filter(s::equals).isPresent() ? " selected" : "").append('>')
                    .append(Html.esc(s.label())).append("</option>");
        }
        sb.append("</select>\n");
        field(sb, "from", "created from", "date", f.from().map(LocalDate::toString).orElse(""), "");
        field(sb, "to", "to", "date", f.to().map(LocalDate::toString).orElse(""), "");
        field(sb, "q", "parameters", "search", f.text(), " placeholder=\"revision=4f2a\"");
        sb.append("<button type=\"submit\" id=\"f-submit\">filter</button>");
        if (f.any()) {
            sb.append(" <a id=\"f-clear\" href=\"/\">clear</a>");
        }
        sb.append("\n</form>\n");
    }

    private static void field(StringBuilder sb, String name, String label, String type, String value, String extra) {
        sb.append("<label for=\"f-").append(name).append("\">").append(label).append("</label> <input id=\"f-")
                .append(name).append("\" name=\"").append(name).append("\" type=\"").append(type).append("\" value=\"")
                .append(Html.esc(value)).append('"').append(extra).append(">\n");
    }

    private void table(StringBuilder sb, List<OperationRecord> ops, Instant now, Redactor secrets) {
        if (ops.isEmpty()) {
            sb.append("<p class=\"empty\" id=\"ops-empty\">no operation</p>\n");
            return;
        }
        sb.append("<table id=\"ops\" class=\"ops\">\n<thead><tr><th>id</th><th>operation</th>")
                .append("<th>requester</th><th>approvers</th><th>state</th><th>progress</th><th>duration</th>")
                .append("<th>created</th></tr></thead>\n<tbody>\n");
        JournalHistory history = engine.api().history();
        for (OperationRecord r : ops) {
            OpView v = OpView.of(r, history.hostRuns(r.id()), secrets);
            long n = r.id().value();
            String state = r.state().name().toLowerCase(Locale.ROOT);
            sb.append("<tr data-op=\"").append(n).append("\" class=\"").append(r.state().isTerminal() ? "ended"
                    : "live").append("\"><td data-label=\"id\"><a href=\"/ops/").append(n).append("\">#").append(n)
                    .append("</a></td><td data-label=\"operation\"><span class=\"kind\">")
                    .append(Html.esc(secrets.redact(r.plan().kind()))).append("</span>");
            String params = secrets.redact(r.plan().paramSummary(secrets::redact));
            if (!params.isEmpty()) {
                sb.append(" <span class=\"params\">").append(Html.esc(params)).append("</span>");
            }
            sb.append("</td><td data-label=\"requester\" class=\"requester\">")
                    .append(Html.esc(secrets.redact(r.requester().principal())))
                    .append("</td><td data-label=\"approvers\">").append(Html.esc(secrets.redact(approvers(r))))
                    .append("</td><td data-label=\"state\" class=\"state ").append(state).append(" ")
                    .append(stateClass(r.state())).append("\">").append(Html.esc(r.state().label()))
                    .append(waiting(r)).append("</td><td data-label=\"progress\">").append(progress(v, r.state()))
                    .append("</td><td data-label=\"duration\">").append(Html.esc(OpView.duration(r, now)))
                    .append("</td><td data-label=\"created\">").append(Html.esc(OpView.stamp(r.createdAt())))
                    .append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    /** {@code state-failed}, {@code state-pending-approval}: the class the style sheet colours a state by. */
    static String stateClass(OperationState s) {
        return "state-" + s.name().toLowerCase(Locale.ROOT).replace('_', '-');
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

    /** The same, classed by the state so a failed operation's bar is not drawn as a success. */
    private static String progress(OpView v, OperationState state) {
        return "<span class=\"bar " + stateClass(state) + "\">" + progress(v) + "</span>";
    }

    /** An id's link, {@code /ops/12}. */
    static String link(OperationId id) {
        return "/ops/" + id.value();
    }
}
