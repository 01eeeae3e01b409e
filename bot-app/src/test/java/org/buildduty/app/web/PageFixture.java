package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.TestBot;

/**
 * A real engine on fakes (TestBot) with a Prometheus registry and a configured secret, the web server on
 * 127.0.0.1 port 0, and an HTTP client. Commands: {@code quick} (two steps, the second on bm01 and bm02, printing a
 * secret and a {@code <script>}), {@code slow} (holds on gate {@code hold} until released) and {@code deploy}
 * (waits for one releng approval; a parameter holds a {@code <script>}); {@code serial} is {@code slow} one at a time;
 * {@code mixed} runs {@code prepare} then {@code check} on bm01..bm03, where bm02 fails (exit 3) and the others go on;
 * {@code canary} applies on bm01, waits at a confirm step for one releng, then applies on bm02.
 */
final class PageFixture implements AutoCloseable {
    static final String SECRET = "hunter2-s3cret";
    static final String SCRIPT = "<script>alert('x')</script>";

    final FakeExecutor fake = new FakeExecutor("fake");
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final TestBot bot;
    final WebServer web;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    PageFixture() {
        this(s -> s);
    }

    PageFixture(UnaryOperator<WebServer.Settings> settings) {
        new JvmMemoryMetrics().bindTo(registry);
        fake.onStep("prepare", FakeExecutor.script().output("preparing", "password is " + SECRET).succeed())
                .onStep("apply", FakeExecutor.script().output("applying", SCRIPT).stderr("warn").succeed())
                .onStep("hold", FakeExecutor.script().output("before the gate").await("hold").output("after the gate")
                        .succeed())
                .onStep("check", FakeExecutor.script().output("checking").succeed())
                .on("check", "bm01", FakeExecutor.script().output("checking bm01", "bm01 fine").succeed())
                .on("check", "bm02", FakeExecutor.script().output("checking bm02").stderr("boom on bm02").fail(3))
                .on("check", "bm03", FakeExecutor.script().output("checking bm03", "bm03 fine").succeed());
        bot = TestBot.builder().commands(PageFixture::commands).executor(fake).role("releng", "alice", "bob")
                .metrics(new BotMetrics(registry)).redactor(new Redactor(List.of(SECRET))).build();
        WebServer started;
        try {
            started = WebServer.start(settings.apply(WebServer.Settings.of("127.0.0.1", 0)
                    .withPoll(Duration.ofMillis(20), Duration.ofSeconds(15))), bot.engine());
        } catch (RuntimeException e) {
            bot.close();
            throw e;
        }
        web = started;
    }

    static StepSpec step(String name, List<String> hosts) {
        return new StepSpec(name, "fake", Map.of("command", "true"), hosts, 2, null, null, OnHostFailure.STOP, null);
    }

    static void commands(CommandRules r) {
        r.register(CommandSpec.builder("quick").summary("runs at once").handler(c -> Outcome.planned(
                new OperationPlan("quick", Map.of("target", "bm01"), List.of(step("prepare", List.of()),
                        step("apply", List.of("bm01", "bm02"))), ApprovalPolicy.NONE, "hosts"))).build());
        r.register(CommandSpec.builder("slow").summary("holds").handler(c -> Outcome.planned(
                new OperationPlan("slow", Map.of(), List.of(step("hold", List.of("bm01")), step("apply",
                        List.of("bm02"))), ApprovalPolicy.NONE, "hosts"))).build());
        r.register(CommandSpec.builder("serial").summary("one at a time").handler(c -> Outcome.planned(
                new OperationPlan("serial", Map.of(), List.of(step("hold", List.of("bm01"))), ApprovalPolicy.NONE,
                        "hosts", OnRestart.REPORT, Exclusion.RUNBOOK))).build());
        r.register(CommandSpec.builder("mixed").summary("one host fails").handler(c -> Outcome.planned(
                new OperationPlan("mixed", Map.of(), List.of(step("prepare", List.of()), new StepSpec("check", "fake",
                        Map.of("command", "true"), List.of("bm01", "bm02", "bm03"), 3, null, null,
                        OnHostFailure.CONTINUE, null)), ApprovalPolicy.NONE, "hosts"))).build());
        r.register(CommandSpec.builder("canary").summary("asks between its steps").handler(c -> Outcome.planned(
                new OperationPlan("canary", Map.of(), List.of(step("apply", List.of("bm01")), StepSpec.confirm(
                        "canary ok?", "look at the dashboards", ApprovalPolicy.of("releng", 1)), step("apply",
                        List.of("bm02"))), ApprovalPolicy.NONE, "hosts"))).build());
        r.register(CommandSpec.builder("deploy").summary("needs approval").role("releng").handler(c ->
                Outcome.planned(new OperationPlan("deploy", Map.of("note", SCRIPT), List.of(step("apply",
                        List.of("bm01"))), ApprovalPolicy.of("releng", 1), "hosts"))).build());
    }

    /** Sends a command and returns the id of the operation it made (the newest in the journal). */
    OperationId run(String principal, String command) {
        bot.send(principal, command);
        return bot.journal().recent(1, Long.MAX_VALUE).get(0).id();
    }

    /** Runs {@code command} as {@code principal} and waits until the operation has ended; its id. */
    OperationId runToEnd(String principal, String command) {
        OperationId id = run(principal, command);
        awaitTerminal(id);
        return id;
    }

    /** GET {@code path}, asserting status 200 and a Content-Type that starts with {@code type}. */
    HttpResponse<String> getOk(String path, String type) {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(type));
        return r;
    }

    /** Waits until the operation is in a terminal state. */
    OperationRecord awaitTerminal(OperationId id) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            OperationRecord r = bot.journal().operation(id).orElseThrow();
            if (r.state().isTerminal()) {
                return r;
            }
            bot.engine().tick();
            sleep(5);
        }
        throw new AssertionError(id + " did not end: " + bot.journal().operation(id));
    }

    URI uri(String path) {
        return URI.create(web.baseUrl() + path);
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A raw HTTP/1.1 answer: status code and body. */
    record Raw(int status, String body) {
    }

    /** GET over a plain socket with the given {@code Host} header (which the JDK's client will not send). */
    Raw getWithHost(String path, String host) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), web.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            int headEnd = answer.indexOf("\r\n\r\n");
            return new Raw(status, headEnd < 0 ? "" : answer.substring(headEnd + 4));
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " with Host " + host + " failed", e);
        }
    }

    /** One server-sent event: its id (or null), name and data. */
    record Event(String id, String name, String data) {
    }

    /** Parses a complete event stream. */
    static List<Event> events(String body) {
        List<Event> out = new ArrayList<>();
        String id = null;
        String name = null;
        StringBuilder data = null;
        for (String line : body.split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    out.add(new Event(id, name == null ? "message" : name, data.toString()));
                }
                id = null;
                name = null;
                data = null;
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                String d = line.substring(6);
                data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
            }
        }
        return out;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            web.close();
        } finally {
            fake.release("hold");
            bot.close();
        }
    }
}
