package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.http.HttpTesting.json;
import static org.buildduty.exec.http.HttpTesting.request;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.RecordingProgressSink;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.LoopbackHttp;

/** wait_until over HTTP: polling, value changes, deadlines, fail_if, errors and cancel. */
class WaitUntilExecutorTest extends HttpStepFixture {
    private static final Map<String, Object> DONE = Map.of("path", "$.state_name", "in", List.of("done", "ready"));

    private final WaitUntilExecutor wait = new WaitUntilExecutor(http, Map.of(), ticker, sleeper);

    private void states(String... names) {
        for (String n : names) {
            server.enqueue(json(200, "{\"id\": 42, \"state_name\": \"" + n + "\"}"));
        }
    }

    private Map<String, Object> args(Object... more) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("url", HttpTesting.url(server, "/module-build-service/1/module-builds/42"));
        args.put("until", DONE);
        for (int i = 0; i < more.length; i += 2) {
            args.put((String) more[i], more[i + 1]);
        }
        return Collections.unmodifiableMap(args);
    }

    private StepResult run(Map<String, Object> args, Duration timeout) {
        return wait.execute(request("wait_until", args, Map.of(), timeout), context);
    }

    @Test
    void pollsUntilTheConditionHoldsReportingEachChangeOnce() {
        states("init", "wait", "wait", "build", "build", "done");

        StepResult r = run(args("keep", Map.of("id", "$.id")), Duration.ofHours(1));

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r.kept()).containsExactly(Map.entry("id", "42"));
        assertThat(r.lastLine()).isEqualTo("$.state_name = \"done\"");
        assertThat(sleeper.sleeps()).hasSize(5).containsOnly(Duration.ofSeconds(10));
        assertThat(context.lines(OutputChannel.INFO)).containsExactly(
                "waiting until $.state_name in [\"done\", \"ready\"] (every 10s)",
                "$.state_name: init",
                "$.state_name: init → wait",
                "$.state_name: wait → build",
                "$.state_name: build → done",
                "condition met: $.state_name in [\"done\", \"ready\"]",
                "kept id");
    }

    @Test
    void notReachingTheConditionTimesOutWithTheLastObservedValue() {
        AtomicInteger polls = new AtomicInteger();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                polls.incrementAndGet();
                return json(200, "{\"state_name\": \"build\"}");
            }
        });

        StepResult r = run(args("interval", "20s"), Duration.ofMinutes(1));

        assertThat(r.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(r.reason()).isEqualTo("after 1m");
        assertThat(r.lastLine()).isEqualTo("$.state_name = \"build\"");
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(20),
                Duration.ofSeconds(20));
        assertThat(polls).hasValue(4);
        assertThat(context.lines(OutputChannel.INFO)).containsExactly(
                "waiting until $.state_name in [\"done\", \"ready\"] (every 20s)", "$.state_name: build");
    }

    @Test
    void theRunnerTimesItOutOnAFakeClock() throws Exception {
        server.setDispatcher(LoopbackHttp.dispatcher(request -> json(200, "{\"state_name\": \"build\"}")));
        try (Runner runner = Runner.builder().executor(wait).ticker(ticker).timerPeriod(Duration.ZERO).build()) {
            sleeper.afterEach(n -> runner.checkTimers());
            RecordingProgressSink sink = new RecordingProgressSink();
            StepSpec step = new StepSpec("wait for build", "wait_until", args(), List.of(), 1, Duration.ofSeconds(30),
                    null, OnHostFailure.STOP, null);
            Operation op = new Operation(new OperationId(71), new OperationPlan("mbs", Map.of(), List.of(step),
                    ApprovalPolicy.NONE, "builds"), Identity.parse("console:local"),
                    ChatAddress.of("console", "local"), Instant.now(), OperationState.QUEUED);

            assertThat(runner.submit(op, sink).get(10, TimeUnit.SECONDS)).isEqualTo(OperationState.FAILED);

            assertThat(sink.hostResults()).singleElement().satisfies(res -> {
                assertThat(res.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
                assertThat(res.lastLine()).isEqualTo("$.state_name = \"build\"");
            });
            assertThat(sleeper.sleeps()).hasSize(3);
        }
    }

    @Test
    void conditionsMayUseKeptValues() {
        server.enqueue(json(200, "{\"builds\": [{\"buildrequestid\": 16}]}"));
        server.enqueue(json(200, "{\"builds\": [{\"buildrequestid\": 17, \"results\": 0}]}"));
        Map<String, Object> args = Map.of("url", HttpTesting.url(server, "/api/v2/builds?buildrequestid={{brid}}"),
                "until", Map.of("path", "$.builds[-1].buildrequestid", "equals", "{{brid}}"));

        StepResult r = wait.execute(request("wait_until", args, Map.of("brid", "17"), Duration.ofHours(1)), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(sleeper.sleeps()).hasSize(1);
        assertThat(context.lines(OutputChannel.INFO)).contains("condition met: $.builds[-1].buildrequestid = 17");
    }

    @Test
    void failIfEndsTheWaitAtOnce() {
        states("build", "failed", "done");

        StepResult r = run(args("fail_if", Map.of("path", "$.state_name", "in", List.of("failed", "garbage"))),
                Duration.ofHours(1));

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("fail_if holds: $.state_name = \"failed\"");
        assertThat(sleeper.sleeps()).hasSize(1);
    }

    @Test
    void aClientErrorFailsAtOnce() {
        server.enqueue(json(404, "{\"status\": 404, \"error\": \"Not Found\", \"message\": \"No such module\"}"));

        StepResult r = run(args(), Duration.ofHours(1));

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("HTTP 404 Not Found");
        assertThat(r.lastLine()).contains("No such module");
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void pollErrorsAreReportedOncePerChangeAndPollingGoesOn() {
        server.enqueue(json(503, "{}"));
        server.enqueue(json(503, "{}"));
        server.enqueue(json(500, "{}"));
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "30").build());
        states("done");

        StepResult r = run(args(), Duration.ofHours(1));

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(30));
        assertThat(context.lines(OutputChannel.INFO)).containsExactly(
                "waiting until $.state_name in [\"done\", \"ready\"] (every 10s)",
                "poll failed: HTTP 503 Service Unavailable",
                "poll failed: HTTP 500 Internal Server Error",
                "poll failed: HTTP 429 Too Many Requests",
                "$.state_name: done",
                "condition met: $.state_name in [\"done\", \"ready\"]");
    }

    @Test
    void cancelEndsTheWaitBetweenPolls() throws Exception {
        server.setDispatcher(LoopbackHttp.dispatcher(request -> json(200, "{\"state_name\": \"build\"}")));
        WaitUntilExecutor real = new WaitUntilExecutor(new HttpExecutor(HttpCredentials.none()), Map.of(),
                Ticker.system(), Sleeper.system());
        CompletableFuture<StepResult> f = CompletableFuture.supplyAsync(() -> real.execute(request("wait_until",
                args("interval", "1h"), Map.of(), Duration.ofHours(2)), context));
        context.awaitLines(2, Duration.ofSeconds(5));
        long start = System.nanoTime();

        context.cancel();

        StepResult r = f.get(5, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(r.lastLine()).isEqualTo("$.state_name = \"build\"");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void argumentsAreCheckedAtLoadTime() {
        assertThat(wait.validateArgs(args("interval", "30s", "fail_if", Map.of("path", "$.s", "equals", "x"),
                "keep", Map.of("id", "$.id")))).isEmpty();
        assertThat(wait.validateArgs(Map.of("command", "curl -s x", "host", "bm01", "until", DONE))).isEmpty();
        assertThat(wait.validateArgs(Map.of("until", DONE))).containsEntry("url",
                "a url to poll (or a command and the host to run it on) is required");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "command", "true", "until", DONE)))
                .containsEntry("command", "poll either a url or a command, not both");
        assertThat(wait.validateArgs(Map.of("command", "true", "until", DONE))).containsEntry("command",
                "a command runs on one inventory host: add host: NAME");
        assertThat(wait.validateArgs(Map.of("command", "true", "host", "{{hosts}}", "until", DONE)))
                .containsEntry("host", "must be one inventory host name (not a group, list or {{parameter}})");
        assertThat(wait.validateArgs(Map.of("command", "true", "host", "bm01", "auth", "x", "until", DONE)))
                .containsEntry("auth", "goes with url, not with command");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "host", "bm01", "until", DONE)))
                .containsEntry("host", "goes with command; a url is polled from the bot");
        assertThat(wait.validateArgs(Map.of("url", "http://h/"))).containsEntry("until",
                "a condition is required, e.g. { path: $.state, equals: done }");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "until", Map.of("path", "$.s", "equal", "x"))))
                .containsEntry("until", "unknown key \"equal\" in a condition (known: path, equals, not_equals, in,"
                        + " not_in, lt, le, gt, ge, exists, all, any)");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "until", DONE, "fail_if", "failed")))
                .containsKey("fail_if");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "until", DONE, "interval", "soon")))
                .containsEntry("interval", "not a duration: \"soon\" (use a number and a unit: 30s, 10m, 2h, 7d,"
                        + " 1h30m)");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "until", DONE, "every", "1m"))).containsEntry("every",
                "unknown argument (known: auth, body, command, fail_if, headers, host, interval, keep, method, until,"
                        + " url)");
        assertThat(wait.validateArgs(Map.of("url", "http://h/", "until", DONE, "expect", "200"))).containsKey("expect");
        assertThat(wait.keptNames(args("keep", Map.of("id", "$.id")))).containsExactly("id");
        assertThat(wait.kind()).isEqualTo("wait_until");
    }

    @Test
    void aCommandWithoutAnSshExecutorFailsClearly() {
        StepResult r = wait.execute(request("wait_until", Map.of("command", "true", "host", "bm01", "until", DONE),
                Map.of(), Duration.ofMinutes(1)), context);

        assertThat(r.reason()).isEqualTo("a wait_until command needs the ssh executor, which is not configured");
    }
}
