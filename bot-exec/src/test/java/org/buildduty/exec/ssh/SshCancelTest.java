package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.WAIT;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.op;
import static org.buildduty.exec.ssh.SshTesting.options;
import static org.buildduty.exec.ssh.SshTesting.step;
import static org.buildduty.exec.testing.Processes.awaitGone;
import static org.buildduty.exec.testing.Processes.running;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.RecordingProgressSink;
import org.buildduty.exec.testing.ServerFixture;
import org.buildduty.exec.testing.Sshd;

/**
 * A cancel and a step timeout stop the remote command on a real sshd whoever logs in: root, whose {@code signal}
 * requests OpenSSH refuses, and a normal user. The command writes nothing after it started, so losing its channel
 * alone would not end it.
 */
class SshCancelTest {
    @RegisterExtension
    static final ServerFixture<Sshd> SSHD = ServerFixture.perClass(Sshd::start);

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path dir;
    /** Where the remote command writes its pids: writable by every login. */
    Path pids;
    SshExecutor ssh;
    Runner runner;
    final RecordingProgressSink sink = new RecordingProgressSink();

    @BeforeEach
    void pidsFolder() throws IOException {
        pids = Files.createTempDirectory("ssh-cancel");
        Files.setPosixFilePermissions(pids, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void stop() throws IOException {
        if (runner != null) {
            runner.close();
        }
        if (ssh != null) {
            ssh.close();
        }
        try (Stream<Path> files = Files.walk(pids)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isRegularFile(p)) {
                    // Whatever the executor left running must not outlive the test.
                    ProcessHandle.of(pid(p)).ifPresent(ProcessHandle::destroyForcibly);
                }
                Files.delete(p);
            }
        }
    }

    private void build(Sshd sshd, String user) throws IOException {
        ssh = new SshExecutor(SshHosts.of(Map.of("h01", sshd.target("h01", user))),
                options(knownHosts(dir, sshd.knownHostsLine()), sshd.clientKey()));
        runner = Runner.builder().executor(ssh).timerPeriod(Duration.ofMillis(100)).build();
    }

    private static String root() {
        Assumptions.assumeTrue(ROOT, "logging in as root needs the tests to run as root");
        return "root";
    }

    private static String normalUser() throws IOException {
        return ROOT ? SSHD.get().allowNormalUser() : System.getProperty("user.name");
    }

    /** Writes its shell's pid and its silent child's, says "started", then waits for the child. */
    private String silentCommand(String prefix) {
        return prefix + "echo $$ > " + pids.resolve("shell") + "; sleep 300 & echo $! > " + pids.resolve("child")
                + "; echo started; wait";
    }

    @Test
    void cancelStopsASilentCommandOfARootLogin() throws Exception {
        build(SSHD.get(), root());
        cancelStopsASilentCommand(1);
    }

    @Test
    void cancelStopsASilentCommandOfANormalLogin() throws Exception {
        build(SSHD.get(), normalUser());
        cancelStopsASilentCommand(2);
    }

    @Test
    void aStepTimeoutStopsASilentCommandOfARootLogin() throws Exception {
        build(SSHD.get(), root());
        aStepTimeoutStopsASilentCommand(3);
    }

    @Test
    void aStepTimeoutStopsASilentCommandOfANormalLogin() throws Exception {
        build(SSHD.get(), normalUser());
        aStepTimeoutStopsASilentCommand(4);
    }

    private void cancelStopsASilentCommand(long id) throws Exception {
        CompletableFuture<OperationState> f = runner.submit(op(id, step("wait", silentCommand(""), List.of("h01"),
                1, Duration.ofMinutes(5), null)), sink);
        awaitStarted();
        long shell = pid(pids.resolve("shell"));
        long child = pid(pids.resolve("child"));
        assertThat(running(shell)).isTrue();

        assertThat(runner.cancel(new OperationId(id), "alice")).isTrue();

        assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(OperationState.CANCELLED);
        StepResult h01 = result();
        assertThat(h01.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(h01.notStopped()).isEmpty();
        awaitGone(shell, Duration.ofSeconds(3));
        awaitGone(child, Duration.ofSeconds(3));
        assertThat(sink.events("Output")).containsExactly("Output 0 h01 STDOUT started");
    }

    private void aStepTimeoutStopsASilentCommand(long id) throws Exception {
        OperationState end = runner.submit(op(id, step("wait", silentCommand(""), List.of("h01"), 1,
                Duration.ofSeconds(2), null)), sink).get(20, TimeUnit.SECONDS);

        assertThat(end).isEqualTo(OperationState.FAILED);
        StepResult h01 = result();
        assertThat(h01.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(h01.lastLine()).isEqualTo("started");
        assertThat(h01.notStopped()).isEmpty();
        awaitGone(pid(pids.resolve("shell")), Duration.ofSeconds(3));
        awaitGone(pid(pids.resolve("child")), Duration.ofSeconds(3));
    }

    /** A command that ignores SIGTERM (so does its child, which inherits that) is killed after the grace. */
    @Test
    void aCommandThatIgnoresTermIsKilledAfterTheGrace() throws Exception {
        build(SSHD.get(), ROOT ? "root" : normalUser());
        CompletableFuture<OperationState> f = runner.submit(op(5, step("wait", silentCommand("trap '' TERM HUP; "),
                List.of("h01"), 1, Duration.ofMinutes(5), null)), sink);
        awaitStarted();

        runner.cancel(new OperationId(5), "alice");

        assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(OperationState.CANCELLED);
        assertThat(result().notStopped()).isEmpty();
        awaitGone(pid(pids.resolve("shell")), Duration.ofSeconds(3));
        awaitGone(pid(pids.resolve("child")), Duration.ofSeconds(3));
    }

    /**
     * A server that runs every command its own way ({@code ForceCommand}, here one that drops stderr) never shows the
     * marker with the command's process group: a root login's command cannot be stopped, and the result says so
     * (the operation still ends, cancelled).
     */
    @Test
    void aCommandThatCannotBeStoppedIsReported() throws Exception {
        try (Sshd forced = Sshd.start(dir.resolve("forced"), "VERBOSE",
                "ForceCommand exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\" 2>/dev/null")) {
            build(forced, root());
            CompletableFuture<OperationState> f = runner.submit(op(6, step("wait", silentCommand(""),
                    List.of("h01"), 1, Duration.ofMinutes(5), null)), sink);
            awaitStarted();

            runner.cancel(new OperationId(6), "alice");

            assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(OperationState.CANCELLED);
            StepResult h01 = result();
            assertThat(h01.outcome()).isEqualTo(StepOutcome.CANCELLED);
            assertThat(h01.reason()).isEqualTo("by alice");
            assertThat(h01.notStopped()).isEqualTo("its process group is unknown (the login shell did not "
                    + "print it)");
            assertThat(running(pid(pids.resolve("child")))).as("really still running").isTrue();
        }
    }

    private void awaitStarted() {
        try {
            sink.awaitEvent("Output 0 h01 STDOUT started", WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; results: " + sink.hostResults(), e);
        }
    }

    private StepResult result() {
        return sink.hostResults().stream().filter(r -> "h01".equals(r.host())).findFirst()
                .orElseThrow(() -> new AssertionError("no result for h01: " + sink.events()));
    }

    private static long pid(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }


}
