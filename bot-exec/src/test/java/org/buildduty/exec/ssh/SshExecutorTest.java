package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.options;
import static org.buildduty.exec.ssh.SshTesting.request;
import static org.buildduty.exec.ssh.SshTesting.target;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.ShellQuote;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.testing.ServerFixture;
import org.buildduty.exec.testing.Sshd;

/** The SSH executor against a real OpenSSH sshd, called directly. */
class SshExecutorTest {
    @RegisterExtension
    static final ServerFixture<Sshd> SSHD = ServerFixture.perClass(Sshd::start);

    @TempDir
    Path work;
    SshExecutor ssh;

    @AfterEach
    void closeExecutor() {
        if (ssh != null) {
            ssh.close();
        }
    }

    private SshExecutor executor(SshOptions options) {
        ssh = new SshExecutor(SshHosts.of(Map.of("bm01", target("bm01", SSHD.get()))), options);
        return ssh;
    }

    private SshExecutor executor() throws IOException {
        ssh = SSHD.get().executor(work, "bm01");
        return ssh;
    }

    @Test
    void streamsStdoutAndStderrLineByLineAndSucceedsOnExitZero() throws IOException {
        RecordingExecContext context = new RecordingExecContext();

        StepResult result = executor().execute(request(1, "bm01",
                "echo one; sleep 0.3; echo warn >&2; sleep 0.3; printf 'two\\r\\nlast'"), context);

        assertThat(result.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(result.exitCode()).isZero();
        assertThat(result.lastLine()).isEqualTo("last");
        assertThat(context.lines()).containsExactly("STDOUT one", "STDERR warn", "STDOUT two", "STDOUT last");
    }

    @Test
    void linesArriveWhileTheCommandStillRuns() throws Exception {
        RecordingExecContext context = new RecordingExecContext();
        SshExecutor executor = executor();
        Thread run = new Thread(() -> executor.execute(request(2, "bm01",
                "echo early; sleep 2; echo late"), context));
        run.start();

        assertThat(context.awaitLines(1, Duration.ofMillis(1500))).containsExactly("STDOUT early");
        assertThat(run.isAlive()).isTrue();
        run.join(10_000);
        assertThat(context.lines()).containsExactly("STDOUT early", "STDOUT late");
    }

    @Test
    void nonZeroExitFailsWithTheExitCode() throws IOException {
        RecordingExecContext context = new RecordingExecContext();

        StepResult result = executor().execute(request(3, "bm01", "echo checking; echo 'bad master.cfg' >&2; exit 4"),
                context);

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.reason()).isEqualTo("exit 4");
        assertThat(result.lastLine()).isEqualTo("bad master.cfg");
        assertThat(result.summary()).isEqualTo("bm01: exit 4 (bad master.cfg)");
    }

    @Test
    void stdinIsClosedSoACommandReadingItDoesNotHang() throws IOException {
        StepResult result = executor().execute(request(4, "bm01", "cat; echo after"), new RecordingExecContext());

        assertThat(result.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(result.lastLine()).isEqualTo("after");
    }

    @Test
    void bindsHostAndOperationMarkersQuoted() throws IOException {
        RecordingExecContext context = new RecordingExecContext();

        executor().execute(request(42, "bm01", "echo host={{host}} op={{operation}}"), context);

        assertThat(context.lines()).containsExactly("STDOUT host=bm01 op=42");
    }

    @Test
    void unknownInventoryHostFailsWithoutConnecting() throws IOException {
        int logins = SSHD.get().acceptedLogins();

        StepResult result = executor().execute(request(5, "bm99", "true"), new RecordingExecContext());

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).isEqualTo("no host bm99 in the inventory");
        assertThat(SSHD.get().acceptedLogins()).isEqualTo(logins);
    }

    @Test
    void validatesTheCommandArgument() throws IOException {
        SshExecutor executor = executor();

        assertThat(executor.kind()).isEqualTo("ssh");
        assertThat(executor.validateArgs(Map.of("command", "uptime"))).isEmpty();
        assertThat(executor.validateArgs(Map.of("command", "  "))).containsOnlyKeys("command");
        assertThat(executor.validateArgs(Map.of("command", List.of("ls")))).containsOnlyKeys("command");
        assertThat(executor.validateArgs(Map.of())).containsEntry("command", "a non-empty command is required");
    }

    /** The planner quotes each value; whatever it holds reaches the remote shell as exactly one argument. */
    @Test
    void quotedValuesReachTheRemoteShellAsOneArgument() throws IOException {
        Path canary = work.resolve("canary");
        String touch = "touch " + canary;
        List<String> values = List.of("'; " + touch + "; '", "$(" + touch + ")", "`" + touch + "`",
                "line1\n" + touch, "\"; " + touch + "; \"", "a\\'b $HOME * ~ && " + touch, "");
        SshExecutor executor = executor();
        for (String value : values) {
            RecordingExecContext planned = new RecordingExecContext();
            RecordingExecContext kept = new RecordingExecContext();

            StepResult viaPlanner = executor.execute(request(6, "bm01",
                    "printf '%s\\n' " + ShellQuote.quote(value)), planned);
            StepResult viaBinding = executor.execute(new ExecRequest(new OperationId(6),
                    StepSpec.of("run", "ssh", Map.of("command", "printf '%s\\n' {{value}}")), "bm01",
                    Duration.ofMinutes(1), Map.of("value", value)), kept);

            assertThat(viaPlanner.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(viaBinding.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(String.join("\n", planned.lines(OutputChannel.STDOUT))).isEqualTo(value);
            assertThat(String.join("\n", kept.lines(OutputChannel.STDOUT))).isEqualTo(value);
        }
        assertThat(canary).doesNotExist();
    }

    @Test
    void stepsOfOneOperationShareOneConnectionUntilItFinishes() throws IOException {
        SshExecutor executor = executor();
        int logins = SSHD.get().acceptedLogins();
        int logStart = SSHD.get().log().length();

        StepResult first = executor.execute(request(7, "bm01", "echo first"), new RecordingExecContext());
        StepResult second = executor.execute(request(7, "bm01", "echo second"), new RecordingExecContext());

        assertThat(first.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(second.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(SSHD.get().acceptedLogins() - logins).isEqualTo(1);
        assertThat(executor.openConnections()).isEqualTo(1);

        executor.execute(request(8, "bm01", "true"), new RecordingExecContext());
        assertThat(SSHD.get().acceptedLogins() - logins).as("another operation has its own").isEqualTo(2);

        executor.operationFinished(new OperationId(7));
        assertThat(executor.openConnections()).isEqualTo(1);
        executor.operationFinished(new OperationId(8));
        assertThat(executor.openConnections()).isZero();
        List<String> ports = SSHD.get().log().substring(logStart).lines()
                .filter(l -> l.startsWith("Accepted publickey for "))
                .map(l -> l.replaceAll(".* port (\\d+) .*", "$1")).collect(Collectors.toList());
        assertThat(ports).hasSize(2);
        for (String port : ports) {
            awaitLog("Connection closed by 127.0.0.1 port " + port);
        }
    }

    @Test
    void aConnectionFoundDeadIsReopenedOnce() throws IOException {
        SshExecutor executor = executor();
        assertThat(executor.execute(request(9, "bm01", "true"), new RecordingExecContext()).outcome())
                .isEqualTo(StepOutcome.SUCCEEDED);
        int logins = SSHD.get().acceptedLogins();

        SSHD.get().restart();
        StepResult again = executor.execute(request(9, "bm01", "echo again"), new RecordingExecContext());

        assertThat(again.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(again.lastLine()).isEqualTo("again");
        assertThat(SSHD.get().acceptedLogins() - logins).isEqualTo(1);
    }

    @Test
    void anEncryptedKeyIsUnlockedWithThePassphraseWhichNeverShows() throws IOException {
        Path key = work.resolve("locked_ed25519");
        Sshd.keygen(key, "s3cret-phrase");
        Files.writeString(SSHD.get().authorizedKeys(), Files.readString(key.resolveSibling("locked_ed25519.pub")),
                StandardOpenOption.APPEND);
        Path known = knownHosts(work, SSHD.get().knownHostsLine());

        StepResult ok = executor(options(known, key).withPassphrase(() -> Optional.of("s3cret-phrase")))
                .execute(request(10, "bm01", "echo unlocked"), new RecordingExecContext());
        ssh.close();
        StepResult wrong = executor(options(known, key).withPassphrase(() -> Optional.of("not-it")))
                .execute(request(11, "bm01", "echo unlocked"), new RecordingExecContext());
        ssh.close();
        StepResult none = executor(options(known, key)).execute(request(12, "bm01", "true"),
                new RecordingExecContext());

        assertThat(ok.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(ok.lastLine()).isEqualTo("unlocked");
        assertThat(wrong.reason()).isEqualTo("cannot decrypt key file " + key + ": wrong passphrase");
        assertThat(none.reason()).isEqualTo("key file " + key + " is encrypted and no passphrase is configured");
        assertThat(options(known, key).withPassphrase(() -> Optional.of("s3cret-phrase")).toString())
                .doesNotContain("s3cret");
    }

    @Test
    void aKeyTheServerDoesNotAcceptFailsToLogIn() throws IOException {
        Path other = work.resolve("other_ed25519");
        Sshd.keygen(other, "");

        StepResult result = executor(options(knownHosts(work, SSHD.get().knownHostsLine()), other))
                .execute(request(13, "bm01", "true"), new RecordingExecContext());

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).isEqualTo("cannot log in to bm01 as " + SSHD.get().user()
                + ": the server accepted none of our keys");
    }

    @Test
    void aClosedPortFailsWithTheReason() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ssh = new SshExecutor(SshHosts.of(Map.of("gone", SshTarget.of("gone", "127.0.0.1", port, "root"))),
                options(knownHosts(work), SSHD.get().clientKey()));

        StepResult result = ssh.execute(request(14, "gone", "true"), new RecordingExecContext());

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).startsWith("cannot connect to gone (127.0.0.1:" + port + "): connection refused");
    }

    private static void awaitLog(String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!SSHD.get().log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected \"" + text + "\" in the sshd log:\n" + SSHD.get().log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
