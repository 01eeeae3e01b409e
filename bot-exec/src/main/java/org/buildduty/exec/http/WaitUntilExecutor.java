package org.buildduty.exec.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * Polls until a condition holds (kind {@code wait_until}): a URL over HTTP, or a command run on one host through the
 * {@code ssh} executor.
 *
 * <p>Arguments: {@code url} with {@code method}, {@code headers}, {@code body} and {@code auth} as for
 * {@link HttpExecutor}; or {@code command} and {@code host} (one inventory host). The polled document is the JSON
 * answer (or a command's stdout parsed as JSON; any other text counts as one JSON string, trimmed). {@code until}
 * (required) and {@code fail_if} are {@link WaitCondition}s (values kept by earlier steps are bound into them as they
 * are); {@code interval} is the pause between polls (default 10s, at
 * least 1s); {@code keep} takes values from the last document as {@code http} does.
 *
 * <p>The step succeeds when {@code until} holds, fails at once when {@code fail_if} holds (checked first), and times
 * out at its step timeout with the last observed values as its last line. Each change of an observed value is one
 * output line ({@code $.state_name: build → done}); a poll that fails (I/O error, 5xx, a failing command) is reported
 * once per distinct error and polling goes on; an HTTP 4xx other than 429 fails the step at once, and a 429 pauses
 * polling for its {@code Retry-After} (at most 60 s). Pauses go through the {@link Sleeper} and end at a cancel.
 *
 * <pre>{@code
 * WaitUntilExecutor wait = new WaitUntilExecutor(http, Map.of("ssh", sshExecutor), Ticker.system(), Sleeper.system());
 * }</pre>
 */
public final class WaitUntilExecutor implements StepExecutor {
    /** The longest one HTTP poll may take. */
    static final Duration POLL_LIMIT = Duration.ofSeconds(60);
    /** The time a poll gets even at the deadline (the runner still enforces the step timeout). */
    static final Duration POLL_MIN = Duration.ofSeconds(5);

    private final HttpExecutor http;
    private final Map<String, StepExecutor> commandExecutors;
    private final Ticker ticker;
    private final Sleeper sleeper;

    /** A poller using {@code http} for URLs and {@code commandExecutors.get("ssh")} for commands. */
    public WaitUntilExecutor(HttpExecutor http, Map<String, StepExecutor> commandExecutors, Ticker ticker,
            Sleeper sleeper) {
        this.http = Objects.requireNonNull(http, "http");
        this.commandExecutors = Map.copyOf(commandExecutors);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public String kind() {
        return "wait_until";
    }

    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        WaitArgs.read(args, http.credentials(), problems);
        return problems;
    }

    @Override
    public Set<String> keptNames(Map<String, Object> args) {
        return HttpArgs.keptNames(args);
    }

    /** One poll's outcome: a document, an error to report and poll past, or an error that ends the step. */
    private record Poll(JsonNode document, String error, boolean fatal, String excerpt, Duration pause) {
        static Poll of(JsonNode document) {
            return new Poll(document, null, false, "", null);
        }

        static Poll error(String error) {
            return new Poll(null, error, false, "", null);
        }
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        Instant deadline = ticker.now().plus(request.timeout());
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, Object> raw = new LinkedHashMap<>(request.step().args());
        for (String key : List.of("until", "fail_if")) {
            if (raw.containsKey(key)) {
                raw.put(key, Json.bindLeaves(raw.get(key), s -> request.bind(s, UnaryOperator.identity())));
            }
        }
        WaitArgs args = WaitArgs.read(raw, http.credentials(), problems);
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            return StepResult.failed(host, null, first.getKey() + ": " + first.getValue(), "");
        }
        PreparedRequest prepared = null;
        StepExecutor commands = null;
        if (args.http != null) {
            try {
                prepared = PreparedRequest.of(args.http, request, http.credentials());
            } catch (IllegalArgumentException e) {
                return StepResult.failed(host, null, e.getMessage(), "");
            }
        } else {
            commands = commandExecutors.get("ssh");
            if (commands == null) {
                return StepResult.failed(host, null, "a wait_until command needs the ssh executor, which is not"
                        + " configured", "");
            }
        }
        CancelPoint cancel = CancelPoint.attach(context);
        Consumer<String> info = line -> context.output(OutputChannel.INFO, line);
        Set<JsonPath> pathSet = new LinkedHashSet<>(args.until.paths());
        if (args.failIf != null) {
            pathSet.addAll(args.failIf.paths());
        }
        List<JsonPath> watched = List.copyOf(pathSet);
        info.accept("waiting until " + args.until.describe() + " (every " + HttpText.seconds(args.interval) + ")");
        Map<JsonPath, String> seen = null;
        String observed = "";
        String lastError = null;
        while (true) {
            Poll poll = prepared != null ? pollUrl(prepared, cancel, deadline, info)
                    : pollCommand(commands, request, args, cancel, deadline);
            if (cancel.cancelled()) {
                return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", observed);
            }
            if (poll.fatal()) {
                if (!poll.excerpt().isEmpty()) {
                    info.accept(poll.excerpt());
                }
                return StepResult.failed(host, null, poll.error(), poll.excerpt().isEmpty() ? observed
                        : poll.excerpt());
            }
            if (poll.error() != null) {
                if (!poll.error().equals(lastError)) {
                    info.accept("poll failed: " + poll.error());
                }
                lastError = poll.error();
            } else {
                JsonNode doc = poll.document();
                Map<JsonPath, String> now = values(watched, doc);
                String changes = changes(seen, now, lastError != null);
                if (!changes.isEmpty()) {
                    info.accept(changes);
                }
                seen = now;
                lastError = null;
                observed = observed(watched, doc);
                if (args.failIf != null && args.failIf.holds(doc)) {
                    return StepResult.failed(host, null, "fail_if holds: " + observed(args.failIf.paths(), doc),
                            observed);
                }
                if (args.until.holds(doc)) {
                    return met(host, args, doc, observed, info);
                }
            }
            Duration left = Duration.between(ticker.now(), deadline);
            if (left.isZero() || left.isNegative()) {
                return new StepResult(StepOutcome.TIMED_OUT, host, null,
                        "after " + HttpText.seconds(request.timeout()), observed.isEmpty() && lastError != null
                        ? "poll failed: " + lastError : observed);
            }
            Duration pause = args.interval;
            if (poll.pause() != null && poll.pause().compareTo(pause) > 0) {
                pause = poll.pause();
            }
            try {
                if (!sleeper.sleep(pause.compareTo(left) < 0 ? pause : left, cancel.wake())) {
                    return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", observed);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StepResult(StepOutcome.CANCELLED, host, null, "interrupted", observed);
            }
        }
    }

    private StepResult met(String host, WaitArgs args, JsonNode doc, String observed, Consumer<String> info) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (Map.Entry<String, JsonPath> k : args.keep.entrySet()) {
            Optional<JsonNode> v = k.getValue().find(doc);
            if (v.isEmpty()) {
                return StepResult.failed(host, null, "keep " + k.getKey() + ": " + k.getValue()
                        + " is not in the last document", observed);
            }
            kept.put(k.getKey(), Json.keptText(v.get()));
        }
        info.accept("condition met: " + args.until.describe());
        if (!kept.isEmpty()) {
            info.accept("kept " + String.join(", ", kept.keySet()));
        }
        return StepResult.succeeded(host, null, observed).withKept(kept);
    }

    private Poll pollUrl(PreparedRequest p, CancelPoint cancel, Instant deadline, Consumer<String> info) {
        Exchange x = http.exchange(p, cancel, pollTime(deadline, POLL_LIMIT), info);
        if (!x.answered()) {
            return Poll.error(x.reason());
        }
        int s = x.status();
        if (s >= 200 && s < 300) {
            return Poll.of(x.json() != null ? x.json() : Json.document(new String(x.body(),
                    StandardCharsets.UTF_8)));
        }
        if (s == 429) {
            Duration asked = x.retryAfter(ticker.now());
            Duration pause = asked == null ? null : asked.compareTo(HttpExecutor.MAX_RETRY_AFTER) < 0 ? asked
                    : HttpExecutor.MAX_RETRY_AFTER;
            return new Poll(null, "HTTP " + x.reason(), false, "", pause);
        }
        if (s >= 500) {
            return Poll.error("HTTP " + x.reason());
        }
        return new Poll(null, "HTTP " + x.reason(), true, x.excerpt(), null);
    }

    private Poll pollCommand(StepExecutor commands, ExecRequest request, WaitArgs args, CancelPoint cancel,
            Instant deadline) {
        Duration timeout = pollTime(deadline, Duration.between(ticker.now(), deadline));
        StepSpec spec = new StepSpec(request.step().name(), "ssh", Map.of("command", args.command),
                List.of(args.host), 1, timeout, null, OnHostFailure.STOP, null);
        CapturingContext capture = new CapturingContext();
        cancel.stopWith(capture::cancel);
        StepResult r;
        try {
            r = commands.execute(new ExecRequest(request.operation(), spec, args.host, timeout, request.vars()),
                    capture);
        } catch (RuntimeException e) {
            r = StepResult.failed(args.host, null, "internal error: " + e.getClass().getSimpleName(), "");
        } finally {
            cancel.clear();
        }
        if (r.outcome() == StepOutcome.SUCCEEDED) {
            return Poll.of(Json.document(capture.stdout()));
        }
        String why = r.reason().isEmpty() ? r.outcome().label() : r.reason();
        String err = capture.lastError().isEmpty() ? "" : " (" + HttpText.oneLine(capture.lastError(), 120) + ")";
        return Poll.error(args.host + ": " + why + err);
    }

    /** What is left until the deadline, at least {@link #POLL_MIN} and at most {@code max}. */
    private Duration pollTime(Instant deadline, Duration max) {
        Duration left = Duration.between(ticker.now(), deadline);
        Duration d = left.compareTo(max) < 0 ? left : max;
        return d.compareTo(POLL_MIN) < 0 ? POLL_MIN : d;
    }

    /** The shown value of each path: the value, or {@code (missing)}. */
    private static Map<JsonPath, String> values(List<JsonPath> paths, JsonNode doc) {
        Map<JsonPath, String> out = new LinkedHashMap<>();
        for (JsonPath p : paths) {
            out.put(p, p.find(doc).map(Json::shown).orElse("(missing)"));
        }
        return out;
    }

    /** {@code $.a: x → y; $.b: 3} for the values that changed (all of them on the first poll or after errors). */
    private static String changes(Map<JsonPath, String> before, Map<JsonPath, String> now, boolean afterError) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<JsonPath, String> e : now.entrySet()) {
            String old = before == null ? null : before.get(e.getKey());
            if (old == null) {
                parts.add(e.getKey() + ": " + e.getValue());
            } else if (!old.equals(e.getValue())) {
                parts.add(e.getKey() + ": " + old + " → " + e.getValue());
            } else if (afterError) {
                parts.add(e.getKey() + ": " + e.getValue());
            }
        }
        return String.join("; ", parts);
    }

    /** {@code $.state = "failed"; $.n = 3}: each path with its JSON value, or {@code missing}. */
    private static String observed(List<JsonPath> paths, JsonNode doc) {
        return paths.stream().map(p -> p + p.find(doc).map(v -> " = " + HttpText.oneLine(v.toString(), 80))
                .orElse(" missing")).collect(Collectors.joining("; "));
    }
}
