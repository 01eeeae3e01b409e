package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.WAIT;
import static org.buildduty.exec.ssh.SshTesting.aliases;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.names;
import static org.buildduty.exec.ssh.SshTesting.op;
import static org.buildduty.exec.ssh.SshTesting.options;
import static org.buildduty.exec.ssh.SshTesting.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.RecordingProgressSink;
import org.buildduty.exec.LocalExecutor;
import org.buildduty.exec.testing.ServerFixture;
import org.buildduty.exec.testing.Sshd;

/** A real runner driving the SSH executor against a real sshd: fan-out, lost connections, cancel. */
class SshRunnerTest {
    @RegisterExtension
    final ServerFixture<Sshd> sshd = ServerFixture.perTest(Sshd::start);

    @TempDir
    Path dir;
    SshExecutor ssh;
    Runner runner;
    final RecordingProgressSink sink = new RecordingProgressSink();

    @BeforeEach
    void start() throws IOException {
        build(options(knownHosts(dir, sshd.get().knownHostsLine()), sshd.get().clientKey()));
    }

    private void build(SshOptions options) {
        if (runner != null) {
            runner.close();
            ssh.close();
        }
        ssh = new SshExecutor(SshHosts.of(aliases(50, sshd.get())), options);
        runner = Runner.builder().executor(ssh).executor(new LocalExecutor(Duration.ofMillis(200)))
                .timerPeriod(Duration.ofMillis(100)).build();
    }

    @AfterEach
    void stop() {
        runner.close();
        ssh.close();
    }

    /**
     * Each host writes when its command starts and ends; the server-side overlap is the real concurrency. A command
     * first waits (up to 5 s) until 10 hosts have started, so the first 10 overlap however slowly they connect;
     * were fewer than 10 allowed at once, the wait would time out and the overlap stay below 10.
     */
    @Test
    void fansOutOverFiftyHostsTenAtATime() throws Exception {
        Path marks = Files.createDirectory(dir.resolve("marks"));
        String command = "d=" + marks + "; date +%s%N > $d/{{host}}.start; i=0;"
                + " while [ $(ls $d | grep -c start) -lt 10 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done;"
                + " sleep 0.2; date +%s%N > $d/{{host}}.end; echo done on {{host}}; echo note >&2";

        OperationState end = runner.submit(op(1, step("fan", command, names(50), 10, Duration.ofSeconds(30),
                null)), sink).get(60, TimeUnit.SECONDS);

        assertThat(end).isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.hostResults()).hasSize(50).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(r.exitCode()).isZero();
        });
        for (String host : names(50)) {
            assertThat(sink.events("Output 0 " + host + " ")).containsExactlyInAnyOrder(
                    "Output 0 " + host + " STDOUT done on " + host, "Output 0 " + host + " STDERR note");
        }
        assertThat(maxOverlap(marks, names(50))).isEqualTo(10);
        assertThat(ssh.openConnections()).as("closed when the operation finished").isZero();
    }

    /**
     * sshd dies mid-command: the host fails at once with the reason, no further host starts (stop), and the rollback
     * of the earlier (local) step runs.
     */
    @Test
    void aKilledServerFailsTheHostAndTheOperationRollsBack() throws Exception {
        Path undone = dir.resolve("undone");
        StepSpec prepare = new StepSpec("prepare", "local", Map.of("command", "true"), List.of(), 1, null, null,
                null, StepSpec.of("unprepare", "local", Map.of("command", "echo undone > " + undone)));
        StepSpec work = step("work", "echo started; sleep 30", List.of("h01", "h02", "h03"), 1,
                Duration.ofSeconds(20), null);
        CompletableFuture<OperationState> f = runner.submit(op(2, prepare, work), sink);
        sink.awaitEvent("Output 1 h01 STDOUT started", WAIT);
        long killedAt = System.nanoTime();

        sshd.get().kill();

        assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(OperationState.FAILED);
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(5));
        StepResult h01 = result("h01");
        assertThat(h01.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(h01.reason()).isEqualTo("connection to h01 lost");
        assertThat(h01.lastLine()).isEqualTo("started");
        assertThat(sink.events("HostStarted 1")).as("stop: h02 and h03 never start")
                .containsExactly("HostStarted 1 h01");
        assertThat(sink.events("RollbackFinished")).containsExactly("RollbackFinished 0 SUCCEEDED");
        assertThat(Files.readString(undone)).isEqualTo("undone\n");
        assertThat(sink.summary()).startsWith("ssh #2 failed at step \"work\": h01: failed - connection to h01 lost");
    }

    /** A peer that stops answering (frozen sshd: the TCP connection stays up) is noticed by keepalives. */
    @Test
    void aSilentlyDeadPeerIsNoticedByKeepalives() throws Exception {
        build(options(knownHosts(dir, sshd.get().knownHostsLine()), sshd.get().clientKey())
                .withKeepAlive(Duration.ofMillis(500)));
        CompletableFuture<OperationState> f = runner.submit(op(3, step("work", "echo started; sleep 30",
                List.of("h01"), 1, Duration.ofSeconds(25), null)), sink);
        sink.awaitEvent("Output 0 h01 STDOUT started", WAIT);
        long frozenAt = System.nanoTime();

        sshd.get().freeze();

        assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(OperationState.FAILED);
        Duration took = Duration.ofNanos(System.nanoTime() - frozenAt);
        assertThat(took).as("3 unanswered keepalives 0.5 s apart").isBetween(Duration.ofMillis(1500),
                Duration.ofSeconds(8));
        assertThat(result("h01").reason()).isEqualTo("connection to h01 lost");
    }

    /** Cancel stops the remote command (its process group) and the run ends within seconds. */
    @Test
    void cancelReturnsPromptlyAndTheRemoteCommandEnds() throws Exception {
        Path pid = dir.resolve("pid");
        CompletableFuture<OperationState> f = runner.submit(op(4, step("tick",
                "echo $$ > " + pid + "; while true; do echo tick; sleep 0.2; done", List.of("h01"), 1,
                Duration.ofSeconds(30), null)), sink);
        sink.awaitEvent("Output 0 h01 STDOUT tick", WAIT);
        long remote = Long.parseLong(Files.readString(pid).strip());
        assertThat(ProcessHandle.of(remote)).isPresent();
        long start = System.nanoTime();

        assertThat(runner.cancel(new OperationId(4), "alice")).isTrue();

        assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(OperationState.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(result("h01").outcome()).isEqualTo(StepOutcome.CANCELLED);
        awaitGone(remote);
        assertThat(sshd.get().log()).as("the signal was asked for").contains("session_signal_req");
    }

    /** The step timeout cancels through the same path and reports TIMED_OUT. */
    @Test
    void aStepTimeoutStopsTheCommand() throws Exception {
        OperationState end = runner.submit(op(5, step("slow", "echo begun; sleep 30", List.of("h01"), 1,
                Duration.ofSeconds(1), null)), sink).get(10, TimeUnit.SECONDS);

        assertThat(end).isEqualTo(OperationState.FAILED);
        assertThat(result("h01").outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(result("h01").lastLine()).isEqualTo("begun");
    }

    private StepResult result(String host) {
        return sink.hostResults().stream().filter(r -> host.equals(r.host())).findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + host + ": " + sink.events()));
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("remote process " + pid + " still runs after the cancel");
            }
            Thread.sleep(20);
        }
    }

    /** The most hosts whose command ran at the same moment, from their start/end marks. */
    private static int maxOverlap(Path marks, List<String> hosts) throws IOException {
        List<long[]> events = new ArrayList<>();
        for (String h : hosts) {
            events.add(new long[] {Long.parseLong(Files.readString(marks.resolve(h + ".start")).strip()), 1});
            events.add(new long[] {Long.parseLong(Files.readString(marks.resolve(h + ".end")).strip()), -1});
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
