package org.buildduty.commands.buildbot;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.time.Durations;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * Forces a Buildbot build and follows it to its end (step kind {@code buildbot}).
 *
 * <p>Arguments: {@code action} ({@code force}, the default and only one), {@code builder} (required),
 * {@code scheduler} (a ForceScheduler; default {@code force}), {@code branch}, {@code revision} and {@code reason}
 * (optional), and {@code interval} (how often to poll, e.g. {@code 5s}; default 2 s, at least 1 s). Placeholders such
 * as {@code {{sha}}} are bound as they are.
 *
 * <p>Output lines (INFO): {@code forced quick on force: build request 7}, then per build
 * {@code build quick#3 started on w1: <url>} and at the end {@code build quick#3 SUCCESS in 12s: <url>}. The step
 * succeeds for SUCCESS and WARNINGS and fails otherwise with {@code FAILURE after 12s (<url>)}. A request no worker
 * claimed until the step's timeout fails {@code still queued after 10m} (and is cancelled); a cancel of the run
 * cancels the build request. It keeps {@code buildrequest}, {@code build_url} and {@code result} (the lower-case
 * label). While a build is followed, a master that does not answer (connection refused, a proxy's 502/503/504: a
 * restart) gets one line ({@code Buildbot at <url> is not reachable: connection refused; still following build
 * request 7}) and one when it answers again; polling goes on, and the step fails only after 10 minutes of silence. A
 * build that ends RETRY (the master shut down under it) is announced, and the run Buildbot starts again is followed
 * to its end. Other Buildbot failures become a failed result with their one-line message; it never throws. Every
 * wait goes through the {@link Sleeper} and is cut short by a cancel.
 *
 * <pre>{@code
 * StepExecutor bb = new BuildbotExecutor(BuildbotClient.of(url, "bot", password), Ticker.system(), Sleeper.system());
 * }</pre>
 */
public final class BuildbotExecutor implements StepExecutor {
    /** The step kind. */
    public static final String KIND = "buildbot";
    /** Poll interval when the step gives none. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    private static final Set<String> KEYS = Set.of("action", "builder", "scheduler", "branch", "revision", "reason",
            "interval");
    private static final Set<String> KEPT = Set.of("buildrequest", "build_url", "result");
    private static final String CANCEL_REASON = "cancelled by buildduty";
    /** How long a followed build's master may not answer (a restart, a network blip) before the step fails. */
    static final Duration OUTAGE = Duration.ofMinutes(10);

    private final BuildbotClient client;
    private final Ticker ticker;
    private final Sleeper sleeper;

    /** An executor forcing builds through {@code client}, timing with {@code ticker}, waiting with {@code sleeper}. */
    public BuildbotExecutor(BuildbotClient client, Ticker ticker, Sleeper sleeper) {
        this.client = Objects.requireNonNull(client, "client");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (String key : args.keySet()) {
            if (!KEYS.contains(key)) {
                problems.put(key, "unknown argument (known: action, builder, scheduler, branch, revision, reason,"
                        + " interval)");
            }
        }
        Object action = args.get("action");
        if (action != null && !action.toString().equals("force")) {
            problems.put("action", "must be force");
        }
        Object builder = args.get("builder");
        if (builder == null || builder.toString().isBlank()) {
            problems.put("builder", "a builder name is required");
        }
        for (String key : List.of("builder", "scheduler", "branch", "revision", "reason")) {
            Object v = args.get(key);
            if (v != null && !(v instanceof String || v instanceof Number)) {
                problems.put(key, "must be a string");
            }
        }
        interval(args, problems);
        return problems;
    }

    @Override
    public Set<String> keptNames(Map<String, Object> args) {
        return KEPT;
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        Map<String, String> problems = validateArgs(request.step().args());
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            return StepResult.failed(host, null, first.getKey() + ": " + first.getValue(), "");
        }
        Duration interval = interval(request.step().args(), problems);
        String builder = arg(request, "builder");
        String scheduler = arg(request, "scheduler");
        scheduler = scheduler == null ? "force" : scheduler;
        Instant start = ticker.now();
        Instant deadline = start.plus(request.timeout());
        CancelPoint cancel = CancelPoint.attach(context);
        Follow run = new Follow(host, builder, context);
        long brid;
        try {
            ForceResult forced = client.force(scheduler, builder, arg(request, "branch"), arg(request, "revision"),
                    arg(request, "reason"));
            brid = forced.onlyRequest();
        } catch (BuildbotException e) {
            return StepResult.failed(host, null, e.getMessage(), run.lastLine);
        }
        run.kept.put("buildrequest", Long.toString(brid));
        run.info("forced " + builder + " on " + scheduler + ": build request " + brid);
        try {
            while (true) {
                if (cancel.cancelled()) {
                    return run.cancelled(brid);
                }
                try {
                    List<Build> builds = client.buildsOfRequest(brid);
                    run.reachable();
                    run.announce(builds, false);
                    BuildRequest r = client.buildRequest(brid);
                    if (r.complete()) {
                        return run.finished(brid, r, client.buildsOfRequest(brid), start);
                    }
                } catch (BuildbotUnreachableException e) {
                    StepResult gaveUp = run.unreachable(brid, e);
                    if (gaveUp != null) {
                        return gaveUp;
                    }
                }
                Instant now = ticker.now();
                if (!now.isBefore(deadline)) {
                    return run.outOfTime(brid, Duration.between(start, now));
                }
                Duration left = Duration.between(now, deadline);
                if (!sleeper.sleep(left.compareTo(interval) < 0 ? left : interval, cancel.wake())) {
                    return run.cancelled(brid);
                }
            }
        } catch (BuildbotException e) {
            return StepResult.failed(host, null, e.getMessage(), run.lastLine).withKept(run.kept);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return run.cancelled(brid);
        }
    }

    private static String arg(ExecRequest request, String key) {
        if (!request.step().args().containsKey(key)) {
            return null;
        }
        return request.boundArg(key, UnaryOperator.identity());
    }

    private static Duration interval(Map<String, Object> args, Map<String, String> problems) {
        Object i = args.get("interval");
        if (i == null) {
            return DEFAULT_INTERVAL;
        }
        try {
            Duration d = Durations.parse(String.valueOf(i));
            if (d.compareTo(Duration.ofSeconds(1)) < 0) {
                problems.put("interval", "must be at least 1s");
            }
            return d;
        } catch (InvalidValueException e) {
            problems.put("interval", e.getMessage());
            return DEFAULT_INTERVAL;
        }
    }

    /** The state of following one forced request: builds announced, kept values, the last line. */
    private final class Follow {
        final String host;
        final String builder;
        final ExecContext context;
        final Map<String, String> kept = new LinkedHashMap<>();
        final Set<Long> announced = new HashSet<>();
        final Set<Long> retried = new HashSet<>();
        Map<Integer, String> workers;
        String lastLine = "";
        /** Since when the master has not answered, or null while it answers. */
        Instant downSince;
        /** How many times the master stopped answering while this request was followed. */
        int outages;

        Follow(String host, String builder, ExecContext context) {
            this.host = host;
            this.builder = builder;
            this.context = context;
        }

        void info(String line) {
            lastLine = line;
            context.output(OutputChannel.INFO, line);
        }

        /** A line for the room too: a build started, or its result. */
        void notice(String line) {
            lastLine = line;
            context.output(OutputChannel.NOTICE, line);
        }

        /**
         * Announces builds not seen before, and each build that ended RETRY (a master shutdown, a lost worker):
         * Buildbot runs the request again. With {@code last} the last build's end is left to the final line.
         */
        void announce(List<Build> builds, boolean last) {
            for (int i = 0; i < builds.size(); i++) {
                Build b = builds.get(i);
                if (announced.add(b.id())) {
                    String url = b.url(client.baseUrl());
                    kept.put("build_url", url);
                    notice("build " + name(b) + " started on " + worker(b.workerId()) + ": " + url);
                }
                boolean retry = b.complete() && b.results() != null && b.results() == Results.RETRY.code();
                if (retry && !(last && i == builds.size() - 1) && retried.add(b.id())) {
                    notice("build " + name(b) + " RETRY" + stopReason(b, b.results()) + ": Buildbot runs the request "
                            + "again");
                }
            }
        }

        /** The master did not answer: one line when it starts, a failed result once it lasts {@link #OUTAGE}. */
        StepResult unreachable(long brid, BuildbotUnreachableException e) {
            Instant now = ticker.now();
            if (downSince == null) {
                downSince = now;
                outages++;
                notice(e.getMessage() + "; still following build request " + brid);
                return null;
            }
            Duration down = Duration.between(downSince, now);
            if (down.compareTo(OUTAGE) < 0) {
                return null;
            }
            String reason = e.getMessage() + " for " + Durations.format(down) + "; stopped following build request "
                    + brid;
            info(reason);
            return StepResult.failed(host, null, reason, lastLine).withKept(kept);
        }

        /** The master answers: after an outage, one line saying so. */
        void reachable() {
            if (downSince != null) {
                notice("Buildbot answers again after " + Durations.format(Duration.between(downSince, ticker.now())));
                downSince = null;
            }
        }

        StepResult finished(long brid, BuildRequest r, List<Build> builds, Instant start) {
            announce(builds, true);
            if (builds.isEmpty()) {
                String label = upper(r.results());
                kept.put("result", Results.labelOf(r.results()));
                String reason = "build request " + brid + " ended " + label + " before a build started";
                info(reason);
                return StepResult.failed(host, null, reason, lastLine).withKept(kept);
            }
            Build last = builds.get(builds.size() - 1);
            Integer code = last.results() != null ? last.results() : r.results();
            String url = last.url(client.baseUrl());
            Duration took = last.startedAt() != null && last.completeAt() != null
                    ? Duration.between(last.startedAt(), last.completeAt()) : Duration.between(start, ticker.now());
            String label = upper(code);
            kept.put("result", Results.labelOf(code));
            String stopped = stopReason(last, code);
            boolean stoppedKind = code != null && (code == Results.CANCELLED.code() || code == Results.RETRY.code());
            if (stopped.isEmpty() && stoppedKind && outages > 0) {
                stopped = " (Buildbot was unreachable meanwhile)";
            }
            notice("build " + name(last) + " " + label + " in " + Durations.format(took) + stopped + ": " + url);
            boolean passed = code != null && code >= 0 && code <= 6 && Results.of(code).passed();
            if (passed) {
                return StepResult.succeeded(host, null, lastLine).withKept(kept);
            }
            return StepResult.failed(host, null, label + " after " + Durations.format(took) + stopped + " (" + url
                    + ")", lastLine).withKept(kept);
        }

        StepResult outOfTime(long brid, Duration waited) {
            String cancelled = cancelQuietly(brid);
            if (announced.isEmpty()) {
                String reason = "still queued after " + Durations.format(waited) + " (build request " + brid + ")"
                        + cancelled;
                info(reason);
                return StepResult.failed(host, null, reason, lastLine).withKept(kept);
            }
            String reason = "still running after " + Durations.format(waited) + " (" + kept.get("build_url") + ")"
                    + cancelled;
            info(reason);
            return new StepResult(StepOutcome.TIMED_OUT, host, null, reason, lastLine, kept);
        }

        StepResult cancelled(long brid) {
            String reason = "cancelled" + cancelQuietly(brid);
            info(reason);
            return new StepResult(StepOutcome.CANCELLED, host, null, reason, lastLine, kept);
        }

        /** Cancels the request; a suffix saying what happened. */
        String cancelQuietly(long brid) {
            try {
                client.cancelRequest(brid, CANCEL_REASON);
                return "; build request " + brid + " cancelled";
            } catch (BuildbotException e) {
                return "; cancelling build request " + brid + " failed: " + e.getMessage();
            }
        }

        String name(Build b) {
            return builder + "#" + b.number();
        }

        String worker(int id) {
            if (workers == null || !workers.containsKey(id)) {
                try {
                    workers = client.workers();
                } catch (BuildbotException e) {
                    return "worker " + id;
                }
            }
            return workers.getOrDefault(id, "worker " + id);
        }
    }

    /**
     * Why Buildbot stopped a CANCELLED or RETRY build, as {@code " (Master Shutdown)"}: the reason it appends to the
     * build's state string ({@code cancelled (Master Shutdown)}); empty for other results or without one.
     */
    static String stopReason(Build b, Integer code) {
        String state = b.stateString();
        boolean stopped = code != null && (code == Results.CANCELLED.code() || code == Results.RETRY.code());
        if (!stopped || state == null || !state.endsWith(")")) {
            return "";
        }
        int open = state.lastIndexOf('(');
        String reason = open < 0 ? "" : state.substring(open + 1, state.length() - 1).strip();
        boolean same = reason.equalsIgnoreCase(Results.labelOf(code));
        return reason.isEmpty() || same ? "" : " (" + BuildbotErrors.cut(reason, 80) + ")";
    }

    private static String upper(Integer code) {
        if (code == null || code < 0) {
            return "NOT FINISHED";
        }
        return code <= 6 ? Results.of(code).name() : "RESULTS " + code;
    }
}
