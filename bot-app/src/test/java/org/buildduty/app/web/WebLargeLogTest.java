package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

/**
 * A 100,000-line log goes out through {@code /log} and {@code /events} in order, read from the journal in pages of
 * at most 1000 lines: a journal wrapper counts the {@code output} calls and the largest page asked for.
 */
class WebLargeLogTest {
    private static final int LINES = 100_000;
    private static final AtomicInteger OUTPUT_CALLS = new AtomicInteger();
    private static final AtomicInteger MAX_LIMIT = new AtomicInteger();
    private static Engine engine;
    private static WebServer web;
    private static OperationId id;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        FakeTicker ticker = new FakeTicker();
        InMemoryJournal store = new InMemoryJournal();
        Journal counting = (Journal) Proxy.newProxyInstance(Journal.class.getClassLoader(),
                new Class<?>[] {Journal.class}, (proxy, method, args) -> {
                    if (method.getName().equals("output") && method.getParameterCount() == 3) {
                        OUTPUT_CALLS.incrementAndGet();
                        MAX_LIMIT.accumulateAndGet((Integer) args[2], Math::max);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        id = store.nextOperationId();
        Instant now = ticker.now();
        store.operationCreated(new Operation(id, new OperationPlan("big", Map.of(),
                List.of(PageFixture.step("spew", List.of("bm01"))), ApprovalPolicy.NONE, "hosts"),
                new Identity("chat", "alice"), ChatAddress.of("chat", "#releng"), now, OperationState.QUEUED));
        store.operationState(id, OperationState.RUNNING, now, "");
        for (int i = 1; i <= LINES; i++) {
            store.output(id, 0, "bm01", OutputChannel.STDOUT, "line " + i, now);
        }
        store.operationState(id, OperationState.SUCCEEDED, now, "done");
        engine = Engine.builder().journal(counting).registry(new CommandRegistry()).ticker(ticker)
                .authorizer(new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of()), true))
                .runner(Runner.builder().ticker(ticker).timerPeriod(Duration.ZERO).build()).build();
        web = WebServer.start(WebServer.Settings.of("127.0.0.1", 0), engine);
    }

    @AfterAll
    static void stop() {
        web.close();
        engine.close();
    }

    @BeforeEach
    void reset() {
        OUTPUT_CALLS.set(0);
        MAX_LIMIT.set(0);
    }

    private BufferedReader open(String path) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(web.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        return new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void theLogArrivesWholeAndInOrderPageByPage() throws Exception {
        int n = 0;
        try (BufferedReader in = open("/ops/" + id.value() + "/log")) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                n++;
                assertThat(line).endsWith("Z [spew] bm01: line " + n);
            }
        }
        assertThat(n).isEqualTo(LINES);
        assertThat(MAX_LIMIT.get()).isBetween(1, 1000);
        assertThat(OUTPUT_CALLS.get()).isBetween(LINES / 1000, LINES / 1000 + 2);
    }

    @Test
    void thePageHoldsTheFirstLinesOnlyAndTheStreamGoesOnFromThere() throws Exception {
        StringBuilder page = new StringBuilder();
        try (BufferedReader in = open("/ops/" + id.value())) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                page.append(line).append('\n');
            }
        }
        String html = page.toString();
        int lines = html.split("<div class=\"line\"", -1).length - 1;
        assertThat(lines).isEqualTo(OperationPage.MAX_LINES);
        assertThat(html).contains("line " + OperationPage.MAX_LINES + "</span>")
                .doesNotContain("line " + (OperationPage.MAX_LINES + 1) + "</span>")
                .contains("data-after=\"" + OperationPage.MAX_LINES + "\"").contains("<p id=\"more\">");
        assertThat(OUTPUT_CALLS.get()).as("no failed host: the page stops reading after its lines").isLessThanOrEqualTo(
                OperationPage.MAX_LINES / 1000 + 1);
        assertThat(MAX_LIMIT.get()).isBetween(1, 1000);
    }

    @Test
    void theEventStreamSendsEveryLineInOrderThenEnds() throws Exception {
        int n = 0;
        String last = null;
        try (BufferedReader in = open("/ops/" + id.value() + "/events")) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("id: ")) {
                    n++;
                    assertThat(line).isEqualTo("id: " + n);
                } else if (line.startsWith("data: {\"seq\"")) {
                    assertThat(line).contains("\"seq\":" + n + ",").endsWith("\"text\":\"line " + n + "\"}");
                } else if (line.startsWith("event: ")) {
                    last = line;
                }
            }
        }
        assertThat(n).isEqualTo(LINES);
        assertThat(last).isEqualTo("event: end");
        assertThat(MAX_LIMIT.get()).isBetween(1, 1000);
        assertThat(OUTPUT_CALLS.get()).isBetween(LINES / 1000, LINES / 1000 + 2);
    }
}
