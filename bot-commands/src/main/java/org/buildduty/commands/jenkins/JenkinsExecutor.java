package org.buildduty.commands.jenkins;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.parse.CloseMatch;
import org.buildduty.core.time.Durations;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.http.ServiceLines;

/**
 * Jenkins jobs from runbooks (step kind {@code jenkins}).
 *
 * <p>Arguments: {@code action} ({@code build}, the default; {@code disable}, {@code enable}, {@code idle}),
 * {@code job} ({@code name} or {@code folder/name}; required except for {@code idle}), {@code params} (a map of
 * strings, {@code build} only: the job is triggered with {@code buildWithParameters}, an empty map taking the job's
 * defaults; without {@code params} with {@code build}), {@code jobs} (a list, {@code idle} only: wait for these jobs,
 * default every job), and {@code interval} (how often to poll, default 5 s, at least 1 s). Placeholders are bound.
 *
 * <ul>
 * <li>{@code build}: triggers the job, follows its queue item to the build (NOTICE
 * {@code jenkins kernel-build-trigger #312 started: <url>}) and the build to its end (NOTICE
 * {@code jenkins kernel-build-trigger #312 SUCCESS in 12m 21s: <url>}). SUCCESS succeeds; UNSTABLE, FAILURE, ABORTED
 * and NOT_BUILT fail the host run ({@code UNSTABLE after 3m 2s (<url>)}). It keeps {@code build_number},
 * {@code build_url} and {@code result}. At the step's timeout, or on cancel, a queued item is cancelled and a running
 * build stopped.
 * <li>{@code disable}, {@code enable}: one POST each (idempotent).
 * <li>{@code idle}: waits until nothing is queued and no build runs (of {@code jobs}, or at all), telling the room
 * what it waits for each time that changes (NOTICE {@code waiting for Jenkins: kernel-build #1201 running}), until
 * the step's timeout.
 * </ul>
 *
 * <p>Every failure is one line: an unknown job names the closest job names, a refusal names the missing permission,
 * a parameterized job built without {@code params} says so. While a build is followed or Jenkins is waited for, a
 * Jenkins that does not answer (or answers 429) is told once and polled on until the timeout, no sooner than its
 * {@code Retry-After} asks. It never throws. Every wait goes through the {@link Sleeper} and is
 * cut short by a cancel.
 */
public final class JenkinsExecutor implements StepExecutor {
    /** The step kind. */
    public static final String KIND = "jenkins";
    /** Poll interval when the step gives none. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** The line of a step run on a bot without {@code services.jenkins}. */
    public static final String NOT_CONFIGURED = "jenkins steps need services.jenkins (url, user, token_env) in the "
            + "configuration";
    private static final List<String> ACTIONS = List.of("build", "disable", "enable", "idle");
    private static final Set<String> KEYS = Set.of("action", "job", "jobs", "params", "interval");
    private static final Set<String> KEPT = Set.of("build_number", "build_url", "result");
    /** {@code name} or {@code folder/name}: no empty, {@code .} or {@code ..} segment (it would leave /job/). */
    private static final Pattern JOB = Pattern.compile("(?!\\.\\.?(/|$))[^/\\s]+(/(?!\\.\\.?(/|$))[^/\\s]+)*");

    private final JenkinsClient client;
    private final Ticker ticker;
    private final Sleeper sleeper;

    /** An executor driving {@code client}, timing with {@code ticker}, waiting with {@code sleeper}. */
    public JenkinsExecutor(JenkinsClient client, Ticker ticker, Sleeper sleeper) {
        this.client = Objects.requireNonNull(client, "client");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    private JenkinsExecutor() {
        this.client = null;
        this.ticker = Ticker.system();
        this.sleeper = Sleeper.system();
    }

    /**
     * The executor of a bot without {@code services.jenkins}: runbooks with {@code jenkins} steps load (their
     * arguments checked), and each such step fails at run with {@link #NOT_CONFIGURED}.
     */
    public static JenkinsExecutor unconfigured() {
        return new JenkinsExecutor();
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
                problems.put(key, "unknown argument (known: action, job, jobs, params, interval)");
            }
        }
        String action = String.valueOf(args.getOrDefault("action", "build"));
        if (!ACTIONS.contains(action)) {
            problems.put("action", CloseMatch.closest(action, ACTIONS).map(m -> "unknown action \"" + action
                    + "\" - did you mean \"" + m + "\"? (").orElse("unknown action (") + "known: "
                    + String.join(", ", ACTIONS) + ")");
            return problems;
        }
        Object job = args.get("job");
        if (action.equals("idle")) {
            if (job != null) {
                problems.put("job", "not for idle (use jobs: [a, b])");
            }
            Object jobs = args.get("jobs");
            if (jobs != null) {
                if (!(jobs instanceof List<?> list) || list.stream().anyMatch(j -> !(j instanceof String))) {
                    problems.put("jobs", "must be a list of job names");
                } else {
                    list.stream().map(String.class::cast).filter(j -> !j.contains("{{") && !JOB.matcher(j).matches())
                            .findFirst().ifPresent(j -> problems.put("jobs", "\"" + j + "\" is not a job name"));
                }
            }
        } else {
            if (job == null || job.toString().isBlank()) {
                problems.put("job", "a job name is required (folder/name for a job in a folder)");
            } else if (!(job instanceof String s)) {
                problems.put("job", "must be a string");
            } else if (!s.contains("{{") && !JOB.matcher(s).matches()) {
                problems.put("job", "not a job name (name, or folder/name)");
            }
            if (args.containsKey("jobs")) {
                problems.put("jobs", "only for action idle");
            }
        }
        Object params = args.get("params");
        if (params != null) {
            if (!action.equals("build")) {
                problems.put("params", "only for action build");
            } else if (!(params instanceof Map<?, ?> map)) {
                problems.put("params", "must be a map of strings (NAME: value)");
            } else {
                map.entrySet().stream().filter(e -> !(e.getValue() instanceof String
                        || e.getValue() instanceof Number || e.getValue() instanceof Boolean)).findFirst()
                        .ifPresent(e -> problems.put("params", "must be a map of strings: " + e.getKey()
                                + " is not a string"));
            }
        }
        interval(args, problems);
        return problems;
    }

    @Override
    public Set<String> keptNames(Map<String, Object> args) {
        return "build".equals(String.valueOf(args.getOrDefault("action", "build"))) ? KEPT : Set.of();
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        Map<String, String> problems = validateArgs(request.step().args());
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            return StepResult.failed(host, null, first.getKey() + ": " + first.getValue(), "");
        }
        if (client == null) {
            context.output(OutputChannel.INFO, NOT_CONFIGURED);
            return StepResult.failed(host, null, NOT_CONFIGURED, NOT_CONFIGURED);
        }
        Duration interval = interval(request.step().args(), problems);
        String action = String.valueOf(request.step().args().getOrDefault("action", "build"));
        Run run = new Run(request, context, interval);
        if (run.job != null && !JOB.matcher(run.job).matches()) {
            return run.failed("job: \"" + cut(run.job) + "\" is not a job name (name, or folder/name)");
        }
        try {
            return switch (action) {
                case "disable" -> run.toggle(false);
                case "enable" -> run.toggle(true);
                case "idle" -> run.idle();
                default -> run.build();
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", run.lastLine, run.kept);
        }
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

    /** One host run of a step. */
    private final class Run {
        final ExecRequest request;
        final ExecContext context;
        final String host;
        final Duration interval;
        final Instant start;
        final Instant deadline;
        final CancelPoint cancel;
        final Map<String, String> kept = new LinkedHashMap<>();
        String lastLine = "";
        String job;
        /** What Jenkins last asked to wait ({@code Retry-After}), or null. */
        Duration backoff;

        Run(ExecRequest request, ExecContext context, Duration interval) {
            this.request = request;
            this.context = context;
            this.host = request.host();
            this.interval = interval;
            this.start = ticker.now();
            this.deadline = start.plus(request.timeout());
            this.cancel = CancelPoint.attach(context);
            this.job = arg("job");
        }

        String arg(String key) {
            if (!request.step().args().containsKey(key)) {
                return null;
            }
            return request.boundArg(key, UnaryOperator.identity()).strip();
        }

        void info(String line) {
            lastLine = line;
            context.output(OutputChannel.INFO, line);
        }

        void notice(String line) {
            lastLine = line;
            context.output(OutputChannel.NOTICE, line);
        }

        StepResult failed(String reason) {
            info(reason);
            return StepResult.failed(host, null, reason, lastLine).withKept(kept);
        }

        StepResult failed(JenkinsException e) {
            return failed(explain(e));
        }

        /** The exception's line; for an unknown job, with the closest job names. */
        String explain(JenkinsException e) {
            if (e.status() != 404 || job == null || !e.getMessage().startsWith("no Jenkins job")) {
                return e.getMessage();
            }
            List<String> names;
            try {
                names = client.jobNames();
            } catch (JenkinsException again) {
                return e.getMessage();
            }
            Optional<String> close = CloseMatch.closest(job, names);
            List<String> near = names.stream().filter(n -> CloseMatch.closest(job, List.of(n)).isPresent())
                    .filter(n -> close.map(c -> !c.equals(n)).orElse(true)).limit(4).toList();
            List<String> shown = new ArrayList<>();
            close.ifPresent(shown::add);
            shown.addAll(near);
            if (shown.isEmpty()) {
                return e.getMessage() + " (" + names.size() + " jobs; none close)";
            }
            return e.getMessage() + " - did you mean " + shown.stream().map(n -> "\"" + n + "\"")
                    .collect(Collectors.joining(", ")) + "?";
        }

        StepResult toggle(boolean enable) {
            try {
                if (enable) {
                    client.enable(job);
                } else {
                    client.disable(job);
                }
            } catch (JenkinsException e) {
                return failed(e);
            }
            notice("jenkins " + job + (enable ? " enabled" : " disabled"));
            return StepResult.succeeded(host, null, lastLine);
        }

        /** False when cancelled while waiting; waits the interval (or a longer Retry-After), to the deadline. */
        boolean pause() throws InterruptedException {
            Duration wait = backoff != null && backoff.compareTo(interval) > 0 ? backoff : interval;
            backoff = null;
            Duration left = Duration.between(ticker.now(), deadline);
            return sleeper.sleep(left.compareTo(wait) < 0 ? left : wait, cancel.wake());
        }

        boolean pastDeadline() {
            return !ticker.now().isBefore(deadline);
        }

        StepResult idle() throws InterruptedException {
            List<String> jobs = new ArrayList<>();
            if (request.step().args().get("jobs") instanceof List<?> list) {
                list.forEach(j -> jobs.add(request.bind(String.valueOf(j), UnaryOperator.identity()).strip()));
            }
            String what = jobs.isEmpty() ? "Jenkins" : String.join(", ", jobs);
            String waitingFor = null;
            String unreachable = null;
            while (true) {
                if (cancel.cancelled()) {
                    return ended(StepOutcome.CANCELLED, "cancelled while waiting for " + what + " to be idle");
                }
                try {
                    List<JenkinsClient.Busy> busy = client.busy(jobs);
                    if (unreachable != null) {
                        notice("Jenkins answers again");
                        unreachable = null;
                    }
                    if (busy.isEmpty()) {
                        notice("jenkins: " + what + " idle after " + Durations.format(Duration.between(start,
                                ticker.now())));
                        return StepResult.succeeded(host, null, lastLine);
                    }
                    String now = busy.stream().map(JenkinsClient.Busy::text).collect(Collectors.joining(", "));
                    if (!now.equals(waitingFor)) {
                        waitingFor = now;
                        notice("waiting for " + what + " to be idle: " + cut(now));
                    }
                } catch (JenkinsException e) {
                    if (!e.unreachable()) {
                        return failed(e);
                    }
                    backoff = e.retryAfter().orElse(null);
                    if (unreachable == null) {
                        unreachable = e.getMessage();
                        notice(e.getMessage() + "; still waiting");
                    }
                }
                if (pastDeadline()) {
                    String reason = "still busy after " + Durations.format(Duration.between(start, ticker.now()))
                            + (waitingFor == null ? "" : ": " + cut(waitingFor));
                    return ended(StepOutcome.TIMED_OUT, reason);
                }
                if (!pause()) {
                    return ended(StepOutcome.CANCELLED, "cancelled while waiting for " + what + " to be idle");
                }
            }
        }

        StepResult ended(StepOutcome outcome, String reason) {
            info(reason);
            return new StepResult(outcome, host, null, reason, lastLine, kept);
        }

        StepResult build() throws InterruptedException {
            Map<String, String> params = null;
            if (request.step().args().get("params") instanceof Map<?, ?> map) {
                params = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    params.put(String.valueOf(e.getKey()), request.bind(String.valueOf(e.getValue()),
                            UnaryOperator.identity()));
                }
            }
            long item;
            try {
                item = client.trigger(job, params);
            } catch (JenkinsException e) {
                return failed(e);
            }
            info("jenkins " + job + " queued: queue item " + item);
            Integer number = null;
            String why = null;
            String unreachable = null;
            while (true) {
                if (cancel.cancelled()) {
                    return stopped(StepOutcome.CANCELLED, "cancelled", item, number);
                }
                try {
                    if (number == null) {
                        Optional<JenkinsClient.QueueItem> q = client.queueItem(item);
                        if (q.isPresent() && q.get().left() && q.get().cancelled()) {
                            return failed("jenkins " + job + ": queue item " + item
                                    + " was cancelled before it started");
                        }
                        if (q.isPresent() && q.get().number() != null) {
                            number = started(q.get().number(), q.get().buildUrl());
                        } else if (q.isEmpty()) {
                            Optional<JenkinsClient.Build> b = client.buildOfQueueItem(job, item);
                            if (b.isPresent()) {
                                number = started(b.get().number(), b.get().url());
                            }
                        } else if (!q.get().left() && q.get().why() != null && !q.get().why().equals(why)) {
                            why = q.get().why();
                            info("jenkins " + job + " waiting in the queue: " + cut(why));
                        }
                    }
                    if (number != null) {
                        JenkinsClient.Build b = client.build(job, number);
                        if (!b.building()) {
                            return finished(b);
                        }
                    }
                    if (unreachable != null) {
                        notice("Jenkins answers again");
                        unreachable = null;
                    }
                } catch (JenkinsException e) {
                    if (!e.unreachable()) {
                        return failed(e);
                    }
                    backoff = e.retryAfter().orElse(null);
                    if (unreachable == null) {
                        unreachable = e.getMessage();
                        notice(e.getMessage() + "; still following " + job + (number == null ? " queue item "
                                + item : " #" + number));
                    }
                }
                if (pastDeadline()) {
                    String waited = Durations.format(Duration.between(start, ticker.now()));
                    String reason = number == null ? "still queued after " + waited + " (queue item " + item + ")"
                            : "still running after " + waited + " (" + kept.get("build_url") + ")";
                    return stopped(StepOutcome.TIMED_OUT, reason, item, number);
                }
                if (!pause()) {
                    return stopped(StepOutcome.CANCELLED, "cancelled", item, number);
                }
            }
        }

        int started(int number, String url) {
            kept.put("build_number", Integer.toString(number));
            kept.put("build_url", url == null ? "" : url);
            notice("jenkins " + job + " #" + number + " started: " + url);
            return number;
        }

        StepResult finished(JenkinsClient.Build b) {
            String result = b.result() == null ? "NOT_BUILT" : b.result();
            kept.put("result", result);
            kept.put("build_url", b.url());
            String took = Durations.format(b.duration());
            notice("jenkins " + job + " #" + b.number() + " " + result + " in " + took + ": " + b.url());
            if (result.equals("SUCCESS")) {
                return StepResult.succeeded(host, null, lastLine).withKept(kept);
            }
            String reason = result + " after " + took + " (" + b.url() + ")";
            // the room saw the result line just now: the summary says it once
            return StepResult.failed(host, null, reason, reason).withKept(kept);
        }

        /** Cancels the queue item or stops the build, then ends with {@code reason} and what was done. */
        StepResult stopped(StepOutcome outcome, String reason, long item, Integer number) {
            String done;
            try {
                if (number == null) {
                    if (client.cancelQueueItem(item)) {
                        done = "; queue item " + item + " cancelled";
                    } else {
                        Optional<JenkinsClient.QueueItem> q = client.queueItem(item);
                        Integer n = q.map(JenkinsClient.QueueItem::number).orElse(null);
                        if (n != null) {
                            client.stop(job, n);
                            done = "; " + job + " #" + n + " had started: stopped";
                        } else {
                            done = "; queue item " + item + " had already left the queue";
                        }
                    }
                } else {
                    client.stop(job, number);
                    done = "; " + job + " #" + number + " stopped";
                }
            } catch (JenkinsException e) {
                done = "; stopping it failed: " + e.getMessage();
            }
            return ended(outcome, reason + done);
        }
    }

    private static String cut(String s) {
        return ServiceLines.cut(s, 200);
    }
}
