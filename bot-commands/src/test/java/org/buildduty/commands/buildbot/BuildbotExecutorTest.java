package org.buildduty.commands.buildbot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.core.time.Sleeper;
import org.buildduty.exec.testing.LoopbackHttp;

/** The executor against a scripted Buildbot, with a fake ticker and a sleeper that never sleeps. */
class BuildbotExecutorTest {
    private final FakeTicker ticker = new FakeTicker();
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<String> posts = new ArrayList<>();
    /**
     * 0: queued, 1: running, 2: done; what the scripted master shows. After a master restart: 3: build 4 ended
     * RETRY and build 5 runs, 4: build 5 done.
     */
    private final AtomicInteger phase = new AtomicInteger();
    /** While set, every GET is answered 503, as a proxy does while the master behind it restarts. */
    private volatile boolean down;
    private volatile int finalResult = 0;
    private volatile IntConsumer afterSleep = n -> { };
    private MockWebServer server;
    private BuildbotExecutor executor;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        LoopbackHttp.start(server, this::answer);
        BuildbotClient client = BuildbotClient.of(URI.create("http://127.0.0.1:" + server.getPort() + "/"), "bot",
                () -> "pw");
        Sleeper sleeper = (Duration d, CountDownLatch wake) -> {
            if (wake.getCount() == 0) {
                return false;
            }
            sleeps.add(d);
            ticker.advance(d);
            afterSleep.accept(sleeps.size());
            return wake.getCount() > 0;
        };
        executor = new BuildbotExecutor(client, ticker, sleeper);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void followsAForcedBuildFromQueueToSuccess() {
        afterSleep = n -> phase.set(Math.min(2, n));
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("builder", "quick", "branch", "main"), Duration.ofMinutes(5)),
                context);

        String url = "http://127.0.0.1:" + server.getPort() + "/#/builders/2/builds/4";
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.INFO)).containsExactly("forced quick on force: build request 7");
        assertThat(context.lines(OutputChannel.NOTICE)).containsExactly(
                "build quick#4 started on w1: " + url,
                "build quick#4 SUCCESS in 12s: " + url);
        assertThat(r.kept()).containsExactly(Map.entry("buildrequest", "7"), Map.entry("build_url", url),
                Map.entry("result", "success"));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0)).contains("\"builderNames\":[\"quick\"]").contains("\"branch\":\"main\"");
    }

    @Test
    void aFailedBuildFailsTheStepWithResultDurationAndUrl() {
        finalResult = 2;
        afterSleep = n -> phase.set(2);
        StepResult r = executor.execute(request(Map.of("builder", "quick", "interval", "5s"), Duration.ofMinutes(5)),
                new RecordingExecContext());
        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("FAILURE after 12s (http://127.0.0.1:" + server.getPort()
                + "/#/builders/2/builds/4)");
        assertThat(r.kept()).containsEntry("result", "failure");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void aRequestStillQueuedAtTheTimeoutFailsAndIsCancelled() {
        StepResult r = executor.execute(request(Map.of("builder", "quick", "interval", "3s"), Duration.ofSeconds(10)),
                new RecordingExecContext());
        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("still queued after 10s (build request 7); build request 7 cancelled");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3),
                Duration.ofSeconds(1));
        assertThat(posts.get(posts.size() - 1)).contains("\"method\":\"cancel\"");
    }

    @Test
    void aCancelCancelsTheBuildRequest() {
        RecordingExecContext context = new RecordingExecContext();
        afterSleep = n -> {
            phase.set(1);
            if (n == 2) {
                context.cancel();
            }
        };
        StepResult r = executor.execute(request(Map.of("builder", "quick"), Duration.ofMinutes(5)), context);
        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(r.reason()).isEqualTo("cancelled; build request 7 cancelled");
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1)).contains("\"method\":\"cancel\"");
    }

    @Test
    void aMasterRestartWhileFollowingIsOneLineEachWayAndTheRetriedBuildIsFollowedToItsEnd() {
        afterSleep = n -> {
            switch (n) {
                case 1 -> phase.set(1);
                case 2 -> down = true;
                case 5 -> {
                    down = false;
                    phase.set(3);
                }
                case 6 -> phase.set(4);
                default -> { }
            }
        };
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("builder", "quick"), Duration.ofMinutes(5)), context);

        String base = "http://127.0.0.1:" + server.getPort() + "/";
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.NOTICE)).containsExactly(
                "build quick#4 started on w1: " + base + "#/builders/2/builds/4",
                "Buildbot at " + base + " is not reachable: answered 503; still following build request 7",
                "Buildbot answers again after 6s",
                "build quick#4 RETRY (Master Shutdown): Buildbot runs the request again",
                "build quick#5 started on w1: " + base + "#/builders/2/builds/5",
                "build quick#5 SUCCESS in 12s: " + base + "#/builders/2/builds/5");
        assertThat(r.kept()).containsEntry("build_url", base + "#/builders/2/builds/5");
        assertThat(posts).as("forced once, never again").hasSize(1);
    }

    @Test
    void aStoppedBuildSaysWhyBuildbotStoppedIt() {
        Build cancelled = new Build(1, 1, 4, 1, 1, null, true, null, 6, "'sleep 30' (cancelled) cancelled "
                + "(Master Shutdown)");
        assertThat(BuildbotExecutor.stopReason(cancelled, 6)).isEqualTo(" (Master Shutdown)");
        assertThat(BuildbotExecutor.stopReason(cancelled, 2)).as("only for CANCELLED and RETRY").isEmpty();
        assertThat(BuildbotExecutor.stopReason(new Build(1, 1, 4, 1, 1, null, true, null, 5, "retry"), 5)).isEmpty();
        assertThat(BuildbotExecutor.stopReason(new Build(1, 1, 4, 1, 1, null, true, null, 5, "()"), 5)).isEmpty();
        assertThat(BuildbotExecutor.stopReason(new Build(1, 1, 4, 1, 1, null, true, null, 6, "'sh -c' (cancelled)"),
                6)).as("the label again says nothing").isEmpty();
    }

    @Test
    void aMasterSilentForTenMinutesFailsTheStep() {
        afterSleep = n -> {
            phase.set(1);
            down = n >= 2;
        };
        StepResult r = executor.execute(request(Map.of("builder", "quick", "interval", "30s"), Duration.ofHours(2)),
                new RecordingExecContext());
        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("Buildbot at http://127.0.0.1:" + server.getPort() + "/ is not reachable: "
                + "answered 503 for 10m; stopped following build request 7");
        assertThat(sleeps).hasSize(22);
    }

    @Test
    void buildbotErrorsAndBadArgumentsAreFailedResults() {
        StepResult unknown = executor.execute(request(Map.of("builder", "nope"), Duration.ofMinutes(1)),
                new RecordingExecContext());
        assertThat(unknown.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(unknown.reason()).isEqualTo("no builder \"nope\" on Buildbot (builders: failing, quick, slow)");

        StepResult bad = executor.execute(request(Map.of("action", "stop", "builder", "quick"), Duration.ofMinutes(1)),
                new RecordingExecContext());
        assertThat(bad.reason()).isEqualTo("action: must be force");
        assertThat(executor.validateArgs(Map.of("interval", "0s", "colour", "red")))
                .containsKeys("builder", "interval", "colour");
        assertThat(executor.keptNames(Map.of())).containsExactlyInAnyOrder("buildrequest", "build_url", "result");
        assertThat(executor.kind()).isEqualTo("buildbot");
    }

    private MockResponse answer(RecordedRequest r) {
        String target = r.getTarget();
        if (target.equals("/auth/login")) {
            return new MockResponse.Builder().code(302).addHeader("Set-Cookie", "TWISTED_SESSION=s; Path=/").build();
        }
        if (r.getMethod().equals("POST")) {
            String body = r.getBody().utf8();
            synchronized (posts) {
                posts.add(body);
            }
            if (body.contains("\"nope\"")) {
                return BuildbotClientTest.fixture(500,
                        "buildbot_POST_forceschedulers_error_500_builder_not_in_scheduler.json");
            }
            if (body.contains("\"cancel\"")) {
                return json("{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}");
            }
            return json("{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":[5,{\"2\":7}]}");
        }
        if (target.equals("/api/v2/builders")) {
            return BuildbotClientTest.fixture(200, "buildbot_GET_builders.json");
        }
        if (target.equals("/api/v2/workers")) {
            return BuildbotClientTest.fixture(200, "buildbot_GET_workers.json");
        }
        if (down) {
            return new MockResponse.Builder().code(503).body("<html>service unavailable</html>").build();
        }
        int p = phase.get();
        boolean done = p == 2 || p == 4;
        if (target.startsWith("/api/v2/builds?buildrequestid=7")) {
            if (p == 0) {
                return json("{\"builds\":[],\"meta\":{\"total\":0}}");
            }
            if (p <= 2) {
                return json("{\"builds\":[" + build(9, 4, p == 2 ? finalResult : null, "x") + "],\"meta\":{}}");
            }
            return json("{\"builds\":[" + build(9, 4, 5, "retry (Master Shutdown)") + ","
                    + build(10, 5, p == 4 ? finalResult : null, "x") + "],\"meta\":{}}");
        }
        if (target.equals("/api/v2/buildrequests/7")) {
            return json("{\"buildrequests\":[{\"builderid\":2,\"buildrequestid\":7,\"buildsetid\":5,\"claimed\":"
                    + (p > 0) + ",\"complete\":" + done + ",\"results\":" + (done ? finalResult : -1)
                    + ",\"submitted_at\":1795238800}],\"meta\":{}}");
        }
        return new MockResponse.Builder().code(404).body("{\"error\":\"Invalid path: " + target + "\"}").build();
    }

    /** One build of request 7 on builder 2; {@code results} null while it runs. */
    private static String build(long id, int number, Integer results, String state) {
        return "{\"builderid\":2,\"buildid\":" + id + ",\"buildrequestid\":7,\"complete\":" + (results != null)
                + ",\"complete_at\":" + (results != null ? "1795238814" : "null") + ",\"masterid\":1,\"number\":"
                + number + ",\"properties\":{},\"results\":" + results + ",\"started_at\":1795238802,"
                + "\"state_string\":\"" + state + "\",\"workerid\":1}";
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static ExecRequest request(Map<String, Object> args, Duration timeout) {
        StepSpec step = new StepSpec("build", "buildbot", args, List.of(), 1, timeout, null, OnHostFailure.STOP,
                null);
        return new ExecRequest(new OperationId(3), step, null, timeout);
    }
}
