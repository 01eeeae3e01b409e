package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;

class WebStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private PageFixture f;
    private InputStream open;

    @AfterEach
    void stop() throws IOException {
        if (open != null) {
            open.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aFinishedOperationStreamsItsLinesTheStateAndEnd() throws Exception {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!quick");
        HttpResponse<String> r = f.getOk("/ops/" + id.value() + "/events", "text/event-stream");
        List<PageFixture.Event> events = PageFixture.events(r.body());
        List<PageFixture.Event> lines = events.stream().filter(e -> e.name().equals("line")).toList();
        assertThat(lines).extracting(PageFixture.Event::id).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
        JsonNode first = JSON.readTree(lines.get(0).data());
        assertThat(first.get("seq").asLong()).isEqualTo(1);
        assertThat(first.get("step").asText()).isEqualTo("prepare");
        assertThat(first.get("stream").asText()).isEqualTo("stdout");
        assertThat(first.get("text").asText()).isEqualTo("preparing");
        assertThat(first.get("host").asText()).as("a step without hosts").isEqualTo("local");
        JsonNode applying = lines.stream().map(e -> read(e.data())).filter(n -> n.get("text").asText()
                .equals("applying")).findFirst().orElseThrow();
        assertThat(lines.stream().map(e -> read(e.data())).filter(n -> n.get("text").asText().equals("applying"))
                .map(n -> n.get("host").asText())).containsExactlyInAnyOrder("bm01", "bm02");
        assertThat(applying.get("step").asText()).isEqualTo("apply");
        assertThat(applying.get("stepIndex").asInt()).isEqualTo(1);
        Instant at = Instant.parse(applying.get("at").asText());
        assertThat(applying.get("time").asText()).isEqualTo(at.toString().substring(11, 19))
                .matches("\\d\\d:\\d\\d:\\d\\d");
        assertThat(lines).extracting(e -> JSON.readTree(e.data()).get("text").asText())
                .contains("password is ***", PageFixture.SCRIPT, "warn");
        PageFixture.Event state = events.stream().filter(e -> e.name().equals("state")).findFirst().orElseThrow();
        JsonNode s = JSON.readTree(state.data());
        assertThat(s.get("state").asText()).isEqualTo("succeeded");
        assertThat(s.get("done").asInt()).isEqualTo(3);
        assertThat(s.get("hostRuns")).hasSize(3);
        assertThat(events.get(events.size() - 1).name()).isEqualTo("end");
    }

    @Test
    void lastEventIdResumesAfterThatLine() throws Exception {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!quick");
        List<PageFixture.Event> events = PageFixture.events(f.get("/ops/" + id.value() + "/events",
                "Last-Event-ID", "5").body());
        assertThat(events.stream().filter(e -> e.name().equals("line")).map(PageFixture.Event::id))
                .containsExactly("6", "7", "8");
        assertThat(events.get(events.size() - 1).name()).isEqualTo("end");
    }

    @Test
    void aRunningOperationStreamsLiveUntilItEnds() throws Exception {
        f = new PageFixture();
        OperationId id = f.run("alice", "!slow");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        BlockingQueue<String> got = follow("/ops/" + id.value() + "/events");
        awaitLine(got, "\"text\":\"before the gate\"");
        awaitLine(got, "\"state\":\"running\"");
        f.fake.release("hold");
        awaitLine(got, "\"text\":\"after the gate\"");
        awaitLine(got, "\"state\":\"succeeded\"");
        awaitLine(got, "event: end");
    }

    @Test
    void aQueuedOperationsStateSaysWhatItIsQueuedBehindUntilItRuns() throws Exception {
        f = new PageFixture();
        OperationId holder = f.run("alice", "!serial");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        OperationId queued = f.run("bob", "!serial");
        BlockingQueue<String> got = follow("/ops/" + queued.value() + "/events");
        awaitLine(got, "\"queue\":\"queued 0s behind " + holder + " (serial by alice, running 0s)\"");
        f.fake.release("hold");
        awaitLine(got, "\"queue\":\"\"");
        awaitLine(got, "event: end");
    }

    @Test
    void anIdleStreamSendsKeepAliveComments() throws Exception {
        f = new PageFixture(s -> s.withPoll(Duration.ofMillis(10), Duration.ofMillis(30)));
        OperationId id = f.run("alice", "!slow");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        BlockingQueue<String> got = follow("/ops/" + id.value() + "/events");
        awaitLine(got, ": keep-alive");
    }

    @Test
    void streamsBeyondTheCapAreRefused() throws Exception {
        f = new PageFixture(s -> s.withMaxStreams(1));
        OperationId id = f.run("alice", "!slow");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        BlockingQueue<String> got = follow("/ops/" + id.value() + "/events");
        awaitLine(got, "before the gate");
        HttpResponse<String> second = f.get("/ops/" + id.value() + "/events");
        assertThat(second.statusCode()).isEqualTo(503);
        open.close();
        open = null;
        f.fake.release("hold");
        f.awaitTerminal(id);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int status = 0;
        while (System.nanoTime() < end && status != 200) {
            status = f.get("/ops/" + id.value() + "/events").statusCode();
        }
        assertThat(status).as("a slot is free again once the first stream ended").isEqualTo(200);
    }

    @Test
    void theLogIsPlainTextWithHostsAndRedacted() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!quick");
        HttpResponse<String> r = f.getOk("/ops/" + id.value() + "/log", "text/plain");
        assertThat(r.body().lines()).hasSize(8)
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ \\[.*"));
        assertThat(r.body().lines().map(l -> l.substring(l.indexOf(' ', 11) + 1)))
                .contains("[prepare] local: preparing", "[prepare] local: password is ***")
                .contains("[apply] bm01: " + PageFixture.SCRIPT, "[apply] bm02: warn");
    }

    @Test
    void aConfiguredSecretNeverReachesThePageTheStreamOrTheLog() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!quick");
        // lines journaled before the secret was configured, and a reason quoting it: the web redacts again
        Instant now = f.bot.ticker().now();
        f.bot.journal().output(id, 1, "bm01", OutputChannel.STDERR, "token " + PageFixture.SECRET + " leaked", now);
        f.bot.journal().operationState(id, OperationState.SUCCEEDED, now, "used " + PageFixture.SECRET);
        for (String path : List.of("/", "/ops/" + id.value(), "/ops/" + id.value() + "/events",
                "/ops/" + id.value() + "/log", "/healthz", "/metrics")) {
            HttpResponse<String> r = f.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain(PageFixture.SECRET).doesNotContain("hunter2");
        }
        assertThat(f.get("/ops/" + id.value() + "/log").body()).contains("] bm01: token *** leaked");
        assertThat(f.get("/ops/" + id.value()).body()).contains("used ***");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }

    /** Opens an event stream and queues its lines from a reader thread. */
    private BlockingQueue<String> follow(String path) throws Exception {
        HttpResponse<InputStream> r = f.http.send(HttpRequest.newBuilder(f.uri(path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        open = r.body();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(closed: " + e.getMessage() + ")");
            }
        }, "sse-reader");
        t.setDaemon(true);
        t.start();
        return lines;
    }

    private static void awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < end) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) {
                continue;
            }
            seen.append(l).append('\n');
            if (l.contains(text)) {
                return;
            }
        }
        throw new AssertionError("no line containing " + text + " within 10 s; got:\n" + seen);
    }
}
