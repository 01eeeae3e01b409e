package org.buildduty.app.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;

import io.javalin.http.Context;

import org.buildduty.core.journal.OutputLine;

/**
 * What {@code /ops/<id>}, its {@code /log} and its {@code /events} show of the output, from the query:
 * {@code ?host=bm07} only that host's lines and runs ({@code local} for a step without hosts), {@code ?failed=1} only
 * the runs whose last attempt failed and their lines. Both work without JavaScript (a GET form); the live view
 * applies the same filter to the lines it receives.
 *
 * @param host       the one host to show, or empty for all
 * @param failedOnly whether to show only failed runs
 */
record LineFilter(String host, boolean failedOnly) {
    static final LineFilter ALL = new LineFilter("", false);
    private static final int MAX_HOST = 200;

    LineFilter {
        host = host == null ? "" : host;
    }

    /** From {@code ?host=} and {@code ?failed=}; a host name that is too long or not printable means all hosts. */
    static LineFilter of(Context ctx) {
        return of(ctx.queryParam("host"), ctx.queryParam("failed"));
    }

    static LineFilter of(String host, String failed) {
        String h = host == null ? "" : host.strip();
        if (h.length() > MAX_HOST || !h.chars().allMatch(c -> c > ' ' && c != 0x7f)) {
            h = "";
        }
        boolean f = failed != null && (failed.equals("1") || failed.equalsIgnoreCase("true")
                || failed.equalsIgnoreCase("on"));
        return new LineFilter(h, f);
    }

    boolean any() {
        return !host.isEmpty() || failedOnly;
    }

    /** Whether a run of {@code host} in step {@code step} is shown; {@code failed}: its last attempt failed. */
    boolean admitsRun(String runHost, boolean failed) {
        return (host.isEmpty() || host.equals(runHost)) && (!failedOnly || failed);
    }

    /** Whether the line is shown, given the keys ({@link #runKey}) of the failed runs. */
    boolean admits(OutputLine l, Set<String> failedRuns) {
        String h = OpView.host(l.host());
        return (host.isEmpty() || host.equals(h)) && (!failedOnly || failedRuns.contains(runKey(l.stepIndex(), h)));
    }

    /** The failed runs of a view, as {@link #runKey}s. */
    static Set<String> failedRuns(OpView v) {
        return v.hostRuns().stream().filter(OpView.HostView::failed).map(h -> runKey(h.stepIndex(), h.host()))
                .collect(Collectors.toSet());
    }

    /** {@code <step index>|<host>}: one host's run of one step, as the page's {@code data-run} attributes say. */
    static String runKey(int step, String host) {
        return step + "|" + host;
    }

    /** The query string that keeps this filter ({@code ?host=bm07&failed=1}), or empty. */
    String query() {
        StringBuilder sb = new StringBuilder();
        if (!host.isEmpty()) {
            sb.append("host=").append(URLEncoder.encode(host, StandardCharsets.UTF_8));
        }
        if (failedOnly) {
            sb.append(sb.length() > 0 ? "&" : "").append("failed=1");
        }
        return sb.length() == 0 ? "" : "?" + sb;
    }
}
