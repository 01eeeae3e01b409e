package org.buildduty.exec.http;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.OkHttpClient;

import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.time.Backoff;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * Sends one HTTP request per step (kind {@code http}), checks its status, and keeps values from the JSON answer for
 * later steps.
 *
 * <p>Arguments: {@code method} (GET, POST, PUT, PATCH, DELETE, HEAD; default GET), {@code url} (required; values
 * bound into it are percent-encoded), {@code headers} (name → value), {@code body} (a mapping or list sent as JSON
 * with each string bound as it is, or a JSON text whose values are bound JSON-escaped and which must still be JSON),
 * {@code expect} (a status, a list of them, or {@code 2xx}; default 2xx), {@code keep} (name → {@link JsonPath} into
 * the answer; a kept value is the string's text, or the JSON of anything else), {@code auth} (a configured
 * {@link HttpCredential}, only ever sent under its base URL), and {@code retries} (idempotent methods only; default 2
 * for GET, HEAD, PUT and DELETE, else 0).
 *
 * <p>Idempotent requests are retried after I/O errors and 502, 503 and 504 with a growing pause (0.5 s, 1 s, 2 s,
 * ... at most 8 s); a 429 is retried for every method (it was not processed) after its {@code Retry-After} (at most
 * 60 s, at most {@value #MAX_RATE_LIMITED} times), and fails at once when that wait would outlast the step's timeout.
 * Every pause goes through the {@link Sleeper} and is cut short by a cancel, which also cancels the call in flight.
 *
 * <p>The run's output lines (stream INFO) say what was called and how it went, e.g.
 * {@code POST http://buildbot:8010/api/v2/forceschedulers/force → 200 OK (84 ms)} and {@code kept brid}: never the
 * headers, cookies, credentials or kept values, and the URL without user info and with secret-looking query values
 * masked. A failed answer adds the start of its body.
 *
 * <pre>{@code
 * HttpExecutor http = new HttpExecutor(HttpCredentials.of(List.of(buildbotSession)));
 * Runner runner = Runner.builder().executor(http).build();
 * }</pre>
 */
public final class HttpExecutor implements StepExecutor {
    /** At most this many waits after a 429 in one run. */
    public static final int MAX_RATE_LIMITED = 5;
    /** The longest wait a {@code Retry-After} gets. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    /** Waits between retries: 500 ms, doubling, up to 8 s. */
    private static final Backoff BACKOFF = Backoff.doubling(Duration.ofMillis(500), Duration.ofSeconds(8));

    private final HttpCredentials credentials;
    private final Sleeper sleeper;
    private final Ticker ticker;
    private final Transport transport;

    /**
     * An executor sending through {@code client} (whose connection pool it shares; it adds its own credential
     * interceptor, and must not be given a client with a cookie jar).
     */
    public HttpExecutor(OkHttpClient client, HttpCredentials credentials, Sleeper sleeper, Ticker ticker) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.transport = new Transport(Objects.requireNonNull(client, "client"), ticker);
    }

    /** An executor with {@link #defaultClient()}, the system clock and real sleeps. */
    public HttpExecutor(HttpCredentials credentials) {
        this(defaultClient(), credentials, Sleeper.system(), Ticker.system());
    }

    /**
     * A client for HTTP steps: 10 s to connect, 60 s of silence on a read or write, redirects followed, no cookie
     * jar. Each call is also bounded by what is left of its step's timeout.
     */
    public static OkHttpClient defaultClient() {
        return OkHttpClients.builder(Duration.ofSeconds(60), Duration.ofSeconds(60)).followRedirects(true).build();
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        HttpArgs.read(args, HttpArgs.HTTP_KEYS, Set.of(), credentials, problems);
        return problems;
    }

    @Override
    public Set<String> keptNames(Map<String, Object> args) {
        return HttpArgs.keptNames(args);
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        Instant deadline = ticker.now().plus(request.timeout());
        Map<String, String> problems = new LinkedHashMap<>();
        HttpArgs args = HttpArgs.read(request.step().args(), HttpArgs.HTTP_KEYS, Set.of(), credentials, problems);
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            return StepResult.failed(host, null, first.getKey() + ": " + first.getValue(), "");
        }
        PreparedRequest p;
        try {
            p = PreparedRequest.of(args, request, credentials);
        } catch (IllegalArgumentException e) {
            return StepResult.failed(host, null, e.getMessage(), "");
        }
        CancelPoint cancel = CancelPoint.attach(context);
        Consumer<String> info = line -> context.output(OutputChannel.INFO, line);
        String target = p.method() + " " + HttpText.url(p.url());
        int retried = 0;
        int rateLimited = 0;
        while (true) {
            Exchange x = transport.exchange(p, cancel, Duration.between(ticker.now(), deadline), info);
            if (x.cancelled() || cancel.cancelled()) {
                return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", "");
            }
            String line = target + " → " + x.reason() + " (" + x.elapsed().toMillis() + " ms)";
            info.accept(line);
            if (x.answered() && args.expect.matches(x.status())) {
                return succeeded(host, args, x, line, info);
            }
            if (x.timedOut()) {
                return new StepResult(StepOutcome.TIMED_OUT, host, null,
                        "after " + HttpText.seconds(request.timeout()), line);
            }
            Duration left = Duration.between(ticker.now(), deadline);
            Duration wait = null;
            String why = "";
            if (x.status() == 429 && rateLimited < MAX_RATE_LIMITED) {
                Duration asked = x.retryAfter(ticker.now());
                if (asked != null && asked.compareTo(left) >= 0) {
                    return failed(host, "rate limited; Retry-After " + HttpText.number(asked.toMillis())
                            + " s exceeds the step timeout", x, info);
                }
                wait = asked == null ? BACKOFF.delay(rateLimited) : min(asked, MAX_RETRY_AFTER);
                rateLimited++;
                why = "rate limited; retrying";
            } else if (args.idempotent() && retried < args.retries && retryable(x)) {
                wait = BACKOFF.delay(retried);
                Duration asked = x.status() == 503 ? x.retryAfter(ticker.now()) : null;
                if (asked != null && asked.compareTo(wait) > 0) {
                    wait = min(asked, MAX_RETRY_AFTER);
                }
                retried++;
                why = "retry " + retried + " of " + args.retries;
            }
            if (wait == null || wait.compareTo(left) >= 0) {
                return failure(host, args, x, info);
            }
            info.accept(why + " in " + HttpText.seconds(wait));
            try {
                if (!sleeper.sleep(wait, cancel.wake())) {
                    return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", line);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StepResult(StepOutcome.CANCELLED, host, null, "interrupted", line);
            }
        }
    }

    private static boolean retryable(Exchange x) {
        return !x.answered() || x.status() == 502 || x.status() == 503 || x.status() == 504;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static StepResult succeeded(String host, HttpArgs args, Exchange x, String line, Consumer<String> info) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (Map.Entry<String, JsonPath> k : args.keep.entrySet()) {
            if (x.json() == null) {
                return failed(host, "the response is not JSON, so " + k.getKey() + " cannot be kept", x, info);
            }
            Optional<JsonNode> v = k.getValue().find(x.json());
            if (v.isEmpty()) {
                return failed(host, "keep " + k.getKey() + ": " + k.getValue() + " is not in the response", x, info);
            }
            kept.put(k.getKey(), Json.keptText(v.get()));
        }
        if (!kept.isEmpty()) {
            info.accept("kept " + String.join(", ", kept.keySet()));
        }
        return StepResult.succeeded(host, null, line).withKept(kept);
    }

    private static StepResult failure(String host, HttpArgs args, Exchange x, Consumer<String> info) {
        if (!x.answered()) {
            return StepResult.failed(host, null, x.reason(), "");
        }
        return failed(host, "HTTP " + x.reason() + " (expected " + args.expect + ")", x, info);
    }

    private static StepResult failed(String host, String reason, Exchange x, Consumer<String> info) {
        String excerpt = x.excerpt();
        if (!excerpt.isEmpty()) {
            info.accept(excerpt);
        }
        return StepResult.failed(host, null, reason, excerpt);
    }

    /** The configured credentials (for {@code wait_until}). */
    HttpCredentials credentials() {
        return credentials;
    }

    /** One call without retries, for {@code wait_until}: see {@link Transport#exchange}. */
    Exchange exchange(PreparedRequest p, CancelPoint cancel, Duration limit, Consumer<String> info) {
        return transport.exchange(p, cancel, limit, info);
    }
}
