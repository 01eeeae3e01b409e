package org.buildduty.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.testing.Processes.awaitGone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.LineSink;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.testing.Processes;

class LocalExecutorTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final LocalExecutor executor = new LocalExecutor(Duration.ofMillis(300));
    private final RecordingExecContext context = new RecordingExecContext();

    @TempDir
    Path tmp;

    private static ExecRequest request(String host, String command) {
        return request(host, Map.of("command", command));
    }

    private static ExecRequest request(String host, Map<String, Object> args) {
        return new ExecRequest(new OperationId(42), StepSpec.of("run", "local", args), host, Duration.ofMinutes(1));
    }

    private StepResult run(String host, String command) {
        return executor.execute(request(host, command), context);
    }

    /** Single-quotes a value for /bin/sh, as the planner does for parameters. */
    private static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    @Test
    void kindIsLocal() {
        assertThat(executor.kind()).isEqualTo("local");
    }

    @Test
    void streamsStdoutAndStderrLineByLine() {
        StepResult r = run("bm01", "echo one; echo two >&2; echo three; printf 'four' >&2");

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r.exitCode()).isZero();
        assertThat(r.host()).isEqualTo("bm01");
        assertThat(context.lines(OutputChannel.STDOUT)).containsExactly("one", "three");
        assertThat(context.lines(OutputChannel.STDERR)).containsExactly("two", "four");
        assertThat(r.lastLine()).isIn("three", "four");
    }

    @Test
    void nonZeroExitFailsWithExitCodeAndLastLine() {
        StepResult r = run("bm73", "echo reconfiguring; echo 'config error'; exit 3");

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.reason()).isEqualTo("exit 3");
        assertThat(r.lastLine()).isEqualTo("config error");
        assertThat(r.summary()).isEqualTo("bm73: exit 3 (config error)");
    }

    @Test
    void passesHostAndOperationInTheEnvironment() {
        run("bm07", "echo \"$BUILDDUTY_HOST $BUILDDUTY_OPERATION\"");
        run(null, "echo \"${BUILDDUTY_HOST-unset} $BUILDDUTY_OPERATION\"");

        assertThat(context.lines(OutputChannel.STDOUT)).containsExactly("bm07 42", "unset 42");
    }

    @Test
    void runsInTheGivenDirectory() throws Exception {
        StepResult r = executor.execute(request(null, Map.of("command", "pwd", "dir", tmp.toString())), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.STDOUT)).containsExactly(tmp.toRealPath().toString());
    }

    @Test
    void missingDirectoryFailsWithoutRunning() {
        StepResult r = executor.execute(request(null, Map.of("command", "echo hi", "dir", tmp.resolve("nope")
                .toString())), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).startsWith("no such directory");
        assertThat(context.lines()).isEmpty();
    }

    @Test
    void stdinIsClosed() {
        long start = System.nanoTime();
        StepResult r = run(null, "cat; echo done");

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines()).containsExactly("STDOUT done");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
    }

    @Test
    void veryLongLinesAreCutAt8KiB() {
        StepResult r = run(null, "head -c 20000 /dev/zero | tr '\\000' a; echo; echo next");

        List<String> out = context.lines(OutputChannel.STDOUT);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).hasSize(LineSink.MAX_LINE_BYTES + 1).startsWith("aaaa").endsWith("a…");
        assertThat(out.get(1)).isEqualTo("next");
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
    }

    @Test
    void cutNeverSplitsAMultiByteCharacter() {
        run(null, "printf a; i=0; while [ $i -lt 5000 ]; do printf '\\303\\251'; i=$((i+1)); done; echo");

        String line = context.lines(OutputChannel.STDOUT).get(0);
        assertThat(line).doesNotContain("\uFFFD").startsWith("aé").endsWith("é…");
        assertThat(line).hasSize(1 + 4095 + 1);
    }

    @Test
    void malformedBytesAreReplaced() {
        run(null, "printf 'ok \\377 end\\r\\n'");

        assertThat(context.lines(OutputChannel.STDOUT)).containsExactly("ok \uFFFD end");
    }

    @Test
    void cancelKillsTheWholeProcessTreeQuickly() throws Exception {
        CompletableFuture<StepResult> f = CompletableFuture.supplyAsync(() -> run("bm01",
                "sleep 60 & echo $!; sh -c 'sleep 60; echo never' & echo $!; wait"));
        List<String> lines = context.awaitLines(2, WAIT);
        long start = System.nanoTime();

        context.cancel();
        StepResult r = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        for (String line : lines) {
            long pid = Long.parseLong(line.substring("STDOUT ".length()));
            awaitGone(pid, WAIT);
        }
        assertThat(context.lines()).noneMatch(l -> l.contains("never"));
    }

    @Test
    void cancelAlsoKillsAnOrphanedChildLeftInTheProcessGroup() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of(
                "/bin/setsid")), "needs setsid");
        CompletableFuture<StepResult> f = CompletableFuture.supplyAsync(() -> run(null,
                "(sleep 60 & echo $!); echo started; sleep 60"));
        List<String> lines = context.awaitLines(2, WAIT);
        long orphan = Long.parseLong(lines.get(0).substring("STDOUT ".length()));
        assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).doesNotContain(orphan);

        context.cancel();

        assertThat(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).outcome()).isEqualTo(StepOutcome.CANCELLED);
        awaitGone(orphan, WAIT);
    }

    @Test
    void cancelKillsAProcessThatIgnoresTermAfterTheGrace() throws Exception {
        CompletableFuture<StepResult> f = CompletableFuture.supplyAsync(() -> run(null,
                "trap '' TERM; sleep 60 & echo $!; wait; wait; echo survived"));
        List<String> lines = context.awaitLines(1, WAIT);

        context.cancel();
        StepResult r = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        awaitGone(Long.parseLong(lines.get(0).substring("STDOUT ".length())), WAIT);
        assertThat(context.lines()).noneMatch(l -> l.contains("survived"));
    }

    @Test
    void alreadyCancelledRunStopsAtOnce() {
        context.cancel();
        StepResult r = run(null, "sleep 60");

        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
    }

    @Test
    void cancelRightAfterTheStartLeavesNoChildBehind() throws Exception {
        String marker = "60." + (100000 + new Random().nextInt(900000));
        for (int i = 0; i < 20; i++) {
            RecordingExecContext cancelled = new RecordingExecContext();
            cancelled.cancel();
            StepResult r = executor.execute(request(null, "sleep " + marker + "; true"), cancelled);
            assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        }

        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Long> left;
        do {
            Thread.sleep(20);
            left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker))
                    .map(ProcessHandle::pid).filter(Processes::running).toList();
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertThat(left).as("sleep processes left running").isEmpty();
    }

    @Test
    void shellMetacharactersInASingleQuotedArgumentStayLiteral() throws Exception {
        List<String> values = List.of(
                "x; touch CANARY",
                "$(touch CANARY)",
                "`touch CANARY`",
                "it's; touch CANARY",
                "a' ; touch CANARY ; echo '",
                "x && touch CANARY || touch CANARY | touch CANARY > CANARY",
                "\"; touch CANARY; \"",
                "$HOME \\ * ? [a] ~ # !",
                "line\nbreak; touch CANARY");
        for (String value : values) {
            StepResult r = executor.execute(request(null, Map.of("command", "printf '%s\\n' " + quote(value),
                    "dir", tmp.toString())), context);
            assertThat(r.outcome()).as(value).isEqualTo(StepOutcome.SUCCEEDED);
        }

        assertThat(context.lines(OutputChannel.STDOUT)).containsExactlyElementsOf(values.stream()
                .flatMap(v -> Stream.of(v.split("\n"))).toList());
        assertThat(tmp.resolve("CANARY")).doesNotExist();
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void canaryTestCanFail() {
        executor.execute(request(null, Map.of("command", "printf '%s\\n' x; touch CANARY", "dir", tmp.toString())),
                context);

        assertThat(tmp.resolve("CANARY")).exists();
    }

    @Test
    void validateArgsRequiresANonEmptyCommand() {
        assertThat(executor.validateArgs(Map.of("command", "echo hi"))).isEmpty();
        assertThat(executor.validateArgs(Map.of())).containsOnlyKeys("command");
        assertThat(executor.validateArgs(Map.of("command", "  "))).containsOnlyKeys("command");
        assertThat(executor.validateArgs(Map.of("command", List.of("echo")))).containsOnlyKeys("command");
        Map<String, Object> badDir = new HashMap<>();
        badDir.put("command", "ls");
        badDir.put("dir", 7);
        assertThat(executor.validateArgs(badDir)).containsOnlyKeys("dir");
    }

    @Test
    void emptyCommandFailsWithoutThrowing() {
        StepResult r = executor.execute(request("bm01", Map.of()), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("no command");
    }



    @Test
    void hiddenEnvironmentVariablesNeverReachTheCommand() {
        LocalExecutor hiding = new LocalExecutor(Duration.ofSeconds(1), Set.of("HOME"));
        StepResult r = hiding.execute(request(null, "echo \"home=${HOME-unset}\""), context);
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.STDOUT)).containsExactly("home=unset");
    }

    @Test
    void hostAndOperationMarkersAreBoundShellQuoted() {
        StepResult r = run("bm01", "echo {{host}} op {{operation}}");
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.STDOUT)).containsExactly("bm01 op 42");
    }
}
