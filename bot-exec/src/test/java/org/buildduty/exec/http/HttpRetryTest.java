package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.http.HttpTesting.json;
import static org.buildduty.exec.http.HttpTesting.request;
import static org.buildduty.exec.http.HttpTesting.status;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.time.Sleeper;

/** Retries, rate limits and cancels of the http step. */
class HttpRetryTest extends HttpStepFixture {
    private static MockResponse tooMany(String retryAfter) {
        return new MockResponse.Builder().code(429).addHeader("Retry-After", retryAfter)
                .body("{\"result\":\"error\",\"code\":\"RATE_LIMIT_HIT\"}").build();
    }

    @Test
    void rateLimitedPostWaitsForRetryAfterSecondsThenSucceeds() {
        server.enqueue(tooMany("3"));
        server.enqueue(json(200, "{\"id\": 5}"));

        StepResult r = http.execute(request(Map.of("method", "POST", "url", url("/messages"), "body", "{}",
                "keep", Map.of("id", "$.id"))), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r.kept()).containsEntry("id", "5");
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(3));
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(context.lines(OutputChannel.INFO)).contains("rate limited; retrying in 3s");
    }

    @Test
    void fractionalRetryAfterAsZulipSendsItIsHonoured() {
        server.enqueue(tooMany("28.706807374954224"));
        server.enqueue(json(200, "{}"));

        StepResult r = http.execute(request(Map.of("method", "POST", "url", url("/messages"))), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(28_707));
    }

    @Test
    void retryAfterAsAnHttpDateAndInTheBodyAndCappedAtAMinute() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ticker.now().plusSeconds(12)
                .atOffset(ZoneOffset.UTC));
        server.enqueue(tooMany(date));
        server.enqueue(json(429, "{\"retry_after_ms\": 1500}"));
        server.enqueue(tooMany("90"));
        server.enqueue(json(200, "{}"));

        StepResult r = http.execute(request(Map.of("url", url("/x"))), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(12), Duration.ofMillis(1500),
                Duration.ofSeconds(60));
    }

    @Test
    void retryAfterBeyondTheStepTimeoutFailsAtOnce() {
        server.enqueue(tooMany("120"));

        StepResult r = http.execute(request("http", Map.of("method", "POST", "url", url("/x")), Map.of(),
                Duration.ofSeconds(30)), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("rate limited; Retry-After 120 s exceeds the step timeout");
        assertThat(sleeper.sleeps()).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void rateLimitWaitsAreLimitedInNumber() {
        for (int i = 0; i <= HttpExecutor.MAX_RATE_LIMITED; i++) {
            server.enqueue(tooMany("1"));
        }

        StepResult r = http.execute(request(Map.of("method", "POST", "url", url("/x"))), context);

        assertThat(r.reason()).isEqualTo("HTTP 429 Too Many Requests (expected 2xx)");
        assertThat(sleeper.sleeps()).hasSize(HttpExecutor.MAX_RATE_LIMITED);
        assertThat(server.getRequestCount()).isEqualTo(HttpExecutor.MAX_RATE_LIMITED + 1);
    }

    @Test
    void postIsNotRetriedOnServiceUnavailable() {
        server.enqueue(status(503));
        server.enqueue(json(200, "{}"));

        StepResult r = http.execute(request(Map.of("method", "POST", "url", url("/force"))), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("HTTP 503 Service Unavailable (expected 2xx)");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void getIsRetriedWithBackoffOnGatewayErrors() {
        server.enqueue(status(503));
        server.enqueue(status(502));
        server.enqueue(json(200, "{}"));

        StepResult r = http.execute(request(Map.of("url", url("/builds"))), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(context.lines(OutputChannel.INFO)).containsSubsequence("retry 1 of 2 in 0.5s", "retry 2 of 2 in 1s");
    }

    @Test
    void getGivesUpAfterItsRetries() {
        for (int i = 0; i < 5; i++) {
            server.enqueue(status(504));
        }

        StepResult r = http.execute(request(Map.of("method", "PUT", "url", url("/b"), "retries", "3")), context);

        assertThat(r.reason()).isEqualTo("HTTP 504 Gateway Timeout (expected 2xx)");
        assertThat(server.getRequestCount()).isEqualTo(4);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2));
    }

    @Test
    void connectionRefusedIsRetriedForGetAndReportedInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }

        StepResult r = http.execute(request(Map.of("url", "http://127.0.0.1:" + port + "/x")), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("connection refused");
        assertThat(sleeper.sleeps()).hasSize(2);
        assertThat(context.lines(OutputChannel.INFO).get(0))
                .isEqualTo("GET http://127.0.0.1:" + port + "/x → connection refused (0 ms)");
    }

    @Test
    void noRetryWhenTheBackoffWouldOutlastTheStep() {
        server.enqueue(status(503));

        StepResult r = http.execute(request("http", Map.of("url", url("/x")), Map.of(), Duration.ofMillis(400)),
                context);

        assertThat(r.reason()).isEqualTo("HTTP 503 Service Unavailable (expected 2xx)");
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void cancelStopsTheCallInFlight() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        HttpExecutor real = new HttpExecutor(HttpExecutor.defaultClient(), HttpCredentials.none(), Sleeper.system(),
                org.buildduty.core.time.Ticker.system());
        CompletableFuture<StepResult> f = CompletableFuture.supplyAsync(() -> real.execute(request(Map.of("url",
                url("/stall"))), context));
        assertThat(server.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
        long start = System.nanoTime();

        context.cancel();

        StepResult r = f.get(5, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void cancelEndsABackoffSleep() throws Exception {
        server.enqueue(status(503));
        HttpExecutor real = new HttpExecutor(HttpExecutor.defaultClient(), HttpCredentials.none(), Sleeper.system(),
                org.buildduty.core.time.Ticker.system());
        server.enqueue(tooMany("50"));
        CompletableFuture<StepResult> f = CompletableFuture.supplyAsync(() -> real.execute(request(Map.of("method",
                "DELETE", "url", url("/x"))), context));
        context.awaitLines(4, Duration.ofSeconds(5));
        long start = System.nanoTime();

        context.cancel();

        assertThat(f.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(context.lines(OutputChannel.INFO)).last().isEqualTo("rate limited; retrying in 50s");
    }
}
