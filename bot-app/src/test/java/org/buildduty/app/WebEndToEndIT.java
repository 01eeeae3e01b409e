package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar with the shipped configuration, its status page on a free port: a runbook run shows up there. */
class WebEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern WEB_LINE = Pattern.compile("web page on (http://127\\.0\\.0\\.1:(\\d+))/");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aRunbookRunIsOnThePageItsLogHealthzAndMetrics() throws Exception {
        BotProcess.copyShippedConfig(dir);
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("whoami");
            bot.expect("you are console:local", WAIT);
            String base = awaitWebLine(dir.resolve("buildduty.log"));

            bot.type("run demo --pause 0");
            bot.expect("demo #1 [############] 3/3 steps · succeeded", WAIT);
            bot.type("op 1");
            bot.expect("log: " + base + "/ops/1", WAIT);

            HttpResponse<String> index = get(base + "/");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body()).contains("<a href=\"/ops/1\">#1</a>").contains("demo").contains("succeeded")
                    .contains("class=\"requester\">local</td>");

            HttpResponse<String> op = get(base + "/ops/1");
            assertThat(op.statusCode()).isEqualTo(200);
            assertThat(op.body()).contains("<span id=\"state\">succeeded</span>").contains("<table class=\"hosts\"")
                    .contains("<td><a href=\"?host=local1\">local1</a></td>").contains("<div id=\"log\">")
                    .contains("<span class=\"host\">local1</span> <span class=\"text\">done on local1</span>");

            assertThat(get(base + "/ops/1/log").body()).containsPattern("Z \\[[^]]+\\] local1: done on local1\n")
                    .contains("local3: done on local3");
            String events = get(base + "/ops/1/events").body();
            assertThat(events).contains("event: line").contains("\"text\":\"done on local2\"")
                    .contains("\"state\":\"succeeded\"").endsWith("event: end\ndata: {}\n\n");
            assertThat(get(base + "/ops/2").statusCode()).isEqualTo(404);

            HttpResponse<String> health = get(base + "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).startsWith("ok\n").contains("connector console: ");

            HttpResponse<String> metrics = get(base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("buildduty_commands_total{command=\"run\",outcome=\"planned\"} 1.0")
                    .contains("buildduty_step_duration_seconds_count{executor=\"local\",outcome=\"succeeded\"}")
                    .contains("jvm_memory_used_bytes").contains("process_uptime_seconds")
                    .containsPattern("buildduty_journal_bytes [1-9]");

            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    /** Polls the log file for the line naming the bound address; returns {@code http://127.0.0.1:PORT}. */
    private static String awaitWebLine(Path log) throws IOException, InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log)) {
                Matcher m = WEB_LINE.matcher(Files.readString(log));
                if (m.find()) {
                    assertThat(Integer.parseInt(m.group(2))).isPositive();
                    return m.group(1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"web page on\" line in " + log);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
