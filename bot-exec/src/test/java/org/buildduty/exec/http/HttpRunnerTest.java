package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.http.HttpTesting.json;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.Escapes;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.RecordingProgressSink;
import org.buildduty.exec.testing.LoopbackHttp;

/** http steps driven by a real runner: kept values flow to later steps, and the step timeout holds. */
class HttpRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpExecutor http = new HttpExecutor(HttpCredentials.none());
    private final Runner runner = Runner.builder().executor(http).timerPeriod(Duration.ofMillis(20)).build();
    private final RecordingProgressSink sink = new RecordingProgressSink();
    private MockWebServer server;
    private HttpServer stalling;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        runner.close();
        release.countDown();
        if (server != null) {
            server.close();
        }
        if (stalling != null) {
            stalling.stop(0);
        }
    }

    private static Operation op(long id, StepSpec... steps) {
        return new Operation(new OperationId(id), new OperationPlan("force", Map.of(), List.of(steps),
                ApprovalPolicy.NONE, "builds"), Identity.parse("console:local"), ChatAddress.of("console", "local"),
                Instant.now(), OperationState.QUEUED);
    }

    private static StepSpec step(String name, Map<String, Object> args, Duration timeout) {
        return new StepSpec(name, "http", args, List.of(), 1, timeout, null, OnHostFailure.STOP, null);
    }

    @Test
    void aLaterStepUsesTheValueAnEarlierStepKept() throws Exception {
        server = HttpTesting.server();
        server.setDispatcher(LoopbackHttp.dispatcher(request -> {
            if (request.getMethod().equals("POST") && request.getUrl().encodedPath().endsWith("/force")) {
                return json(200, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": [3, {\"1\": 17}]}");
            }
            if (request.getUrl().encodedPath().equals("/api/v2/buildrequests/17")) {
                return json(200, "{\"buildrequests\": [{\"buildrequestid\": 17, \"complete\": false}]}");
            }
            return json(404, "{\"error\": \"Invalid path\"}");
        }));
        String reason = "release \"1.2\"; rm -rf /";
        Operation op = op(61,
                step("force", Map.of("method", "POST", "url", HttpTesting.url(server, "/api/v2/forceschedulers/force"),
                        "body", "{\"jsonrpc\": \"2.0\", \"method\": \"force\", \"id\": 1, \"params\":"
                                + " {\"builderNames\": [\"runtests\"], \"reason\": \"" + Escapes.json(reason) + "\"}}",
                        "keep", Map.of("brid", "$.result[1]['1']")), Duration.ofSeconds(10)),
                step("check", Map.of("url", HttpTesting.url(server, "/api/v2/buildrequests/{{brid}}"),
                        "keep", Map.of("complete", "$.buildrequests[0].complete")), Duration.ofSeconds(10)),
                step("note", Map.of("method", "POST", "url", HttpTesting.url(server, "/api/v2/buildrequests/{{brid}}"),
                        "body", Map.of("note", "request {{brid}} complete={{complete}}")), Duration.ofSeconds(10)));

        OperationState end = runner.submit(op, sink).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(end).as(sink.summary()).isEqualTo(OperationState.SUCCEEDED);
        JsonNode force = Json.parse(server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertThat(force.get("params").get("reason").textValue()).isEqualTo(reason);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/api/v2/buildrequests/17");
        RecordedRequest note = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(note.getTarget()).isEqualTo("/api/v2/buildrequests/17");
        assertThat(Json.parse(note.getBody().utf8()).get("note").textValue()).isEqualTo("request 17 complete=false");
        assertThat(sink.events("Output")).anySatisfy(e -> assertThat(e).isEqualTo("Output 0 - INFO kept brid"));
    }

    @Test
    void aServerThatNeverAnswersTimesOutWithinTheStepTimeout() throws Exception {
        stalling = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        stalling.createContext("/", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        stalling.setExecutor(null);
        stalling.start();
        String url = "http://127.0.0.1:" + stalling.getAddress().getPort() + "/api/v2/builds";
        long start = System.nanoTime();

        OperationState end = runner.submit(op(62, step("slow", Map.of("url", url), Duration.ofMillis(300))), sink)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(end).isEqualTo(OperationState.FAILED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(sink.hostResults()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
            assertThat(r.reason()).startsWith("after ");
        });
    }
}
