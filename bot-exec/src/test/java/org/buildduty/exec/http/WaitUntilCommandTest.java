package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.http.HttpTesting.request;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.param.ShellQuote;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.LocalExecutor;

/** wait_until running a command through the executor registered as ssh (here a local one, so no sshd is needed). */
class WaitUntilCommandTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeSleeper sleeper = new FakeSleeper(ticker);
    private final WaitUntilExecutor wait = new WaitUntilExecutor(new HttpExecutor(HttpCredentials.none()),
            Map.of("ssh", new LocalExecutor(Duration.ofMillis(200))), ticker, sleeper);
    private final RecordingExecContext context = new RecordingExecContext();

    @TempDir
    Path dir;

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void pollsACommandsJsonOutputUntilTheConditionHolds() {
        Path status = dir.resolve("status.json");
        write(status, "{\"state\": \"building\", \"id\": 7}\n");
        sleeper.afterEach(n -> {
            if (n == 2) {
                write(status, "{\"state\": \"done\", \"id\": 7}\n");
            }
        });
        // The file name comes from a value an earlier step kept: the command executor binds it shell-quoted.
        Map<String, Object> args = Map.of("command", "cat " + ShellQuote.quote(dir.toString()) + "/{{name}}",
                "host", "bm01", "interval", "30s",
                "until", Map.of("path", "$.state", "equals", "done"), "keep", Map.of("id", "$.id"));

        StepResult r = wait.execute(request("wait_until", args, Map.of("name", "status.json"), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r.kept()).containsExactly(Map.entry("id", "7"));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertThat(context.lines(OutputChannel.INFO)).containsExactly(
                "waiting until $.state = \"done\" (every 30s)",
                "$.state: building",
                "$.state: building → done",
                "condition met: $.state = \"done\"",
                "kept id");
        assertThat(context.lines(OutputChannel.STDOUT)).isEmpty();
    }

    @Test
    void plainTextOutputIsOneStringAndAFailingCommandIsAPollError() {
        Path flag = dir.resolve("flag");
        sleeper.afterEach(n -> {
            if (n == 2) {
                write(flag, "  ready\n");
            }
        });
        Map<String, Object> args = Map.of("command", "cat " + ShellQuote.quote(flag.toString()), "host", "bm02",
                "interval", "5s", "until", Map.of("path", "$", "equals", "ready"));

        StepResult r = wait.execute(request("wait_until", args, Map.of(), Duration.ofHours(1)), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.INFO)).hasSize(4);
        assertThat(context.lines(OutputChannel.INFO).get(1)).startsWith("poll failed: bm02: exit 1 (cat: ")
                .contains("No such file or directory");
        assertThat(context.lines(OutputChannel.INFO).get(2)).isEqualTo("$: ready");
        assertThat(sleeper.sleeps()).hasSize(2);
    }

    @Test
    void aCommandThatNeverSaysDoneTimesOut() {
        Map<String, Object> args = Map.of("command", "echo '{\"n\": 3}'", "host", "bm01", "interval", "1m",
                "until", Map.of("path", "$.n", "gt", "5"));

        StepResult r = wait.execute(request("wait_until", args, Map.of(), Duration.ofMinutes(3)), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(r.lastLine()).isEqualTo("$.n = 3");
        assertThat(sleeper.sleeps()).hasSize(3);
    }
}
