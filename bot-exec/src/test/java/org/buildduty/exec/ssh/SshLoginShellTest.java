package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.options;
import static org.buildduty.exec.ssh.SshTesting.request;
import static org.buildduty.exec.ssh.SshTesting.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.testing.Sshd;

/**
 * Commands run through the remote user's login shell, which must be POSIX-like: each new connection is probed once
 * ({@code printf '%s' "$((6*7))"} must print 42) and a host whose shell is not is refused in one line naming it.
 *
 * <p>Both servers are real OpenSSH sshds. Their {@code ForceCommand} stands in for the login shell, as sshd hands
 * every command to it: one server logs each command and runs it with {@code eval} (a POSIX shell), the other hands
 * it to a test-made shell that, like fish or csh, does not read POSIX syntax.
 */
class SshLoginShellTest {
    @TempDir
    static Path dir;
    static Sshd posix;
    static Sshd notPosix;
    static Path posixLog;
    static Path notPosixLog;

    @TempDir
    Path work;
    SshExecutor ssh;

    @BeforeAll
    static void startSshds() throws IOException {
        posixLog = dir.resolve("posix-commands.log");
        posix = Sshd.start(dir.resolve("posix"), "VERBOSE",
                "ForceCommand printf '%s\\n--\\n' \"$SSH_ORIGINAL_COMMAND\" >> " + posixLog
                        + "; eval \"$SSH_ORIGINAL_COMMAND\"");
        notPosixLog = dir.resolve("notposix-commands.log");
        Path shell = dir.resolve("notposix");
        Files.writeString(shell, String.join("\n",
                "#!/bin/sh",
                "# A login shell with its own syntax (as fish or csh): it knows no $((...)) and runs nothing.",
                "printf '%s\\n--\\n' \"$2\" >> " + notPosixLog,
                "echo \"notposix: unsupported syntax\" >&2",
                "echo 'sixtimesseven'",
                "exit 127",
                ""));
        Files.setPosixFilePermissions(shell, PosixFilePermissions.fromString("rwxr-xr-x"));
        notPosix = Sshd.start(dir.resolve("notposix-sshd"), "VERBOSE",
                "ForceCommand exec " + shell + " -c \"$SSH_ORIGINAL_COMMAND\"");
    }

    @AfterAll
    static void stopSshds() {
        if (posix != null) {
            posix.close();
        }
        if (notPosix != null) {
            notPosix.close();
        }
    }

    @AfterEach
    void closeExecutor() {
        if (ssh != null) {
            ssh.close();
        }
    }

    private SshExecutor executor(String host, Sshd sshd) throws IOException {
        ssh = new SshExecutor(SshHosts.of(Map.of(host, target(host, sshd))),
                options(knownHosts(work, sshd.knownHostsLine()), sshd.clientKey()));
        return ssh;
    }

    private static List<String> commands(Path log) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        return List.of(Files.readString(log).split("\n--\n"));
    }

    @Test
    void aHostWhoseLoginShellIsNotPosixIsRefusedInOneLineNamingItAndNothingRuns() throws IOException {
        Files.deleteIfExists(notPosixLog);
        SshExecutor executor = executor("bm07", notPosix);
        RecordingExecContext context = new RecordingExecContext();

        StepResult first = executor.execute(request(1, "bm07", "echo it\\'s; touch /tmp/never"), context);
        StepResult second = executor.execute(request(1, "bm07", "echo again"), context);

        assertThat(first.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(first.reason()).doesNotContain("\n")
                .isEqualTo("the login shell of " + notPosix.user() + " on bm07 is not POSIX-like (printf '%s' "
                        + "\"$((6*7))\" printed \"sixtimesseven\", not 42); buildduty needs sh, bash, dash, ksh "
                        + "or zsh");
        assertThat(first.summary()).startsWith("bm07: failed - the login shell of ");
        assertThat(second.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(second.reason()).isEqualTo(first.reason());
        assertThat(context.lines()).isEmpty();
        assertThat(commands(notPosixLog)).as("one probe reached the shell, no command")
                .containsExactly(SshExecutor.SHELL_PROBE);
    }

    @Test
    void aPosixShellRunsCommandsAndIsProbedOncePerConnection() throws IOException {
        Files.deleteIfExists(posixLog);
        SshExecutor executor = executor("bm01", posix);
        int logins = posix.acceptedLogins();

        StepResult a = executor.execute(request(1, "bm01", "echo first"), new RecordingExecContext());
        StepResult b = executor.execute(request(1, "bm01", "printf '%s\\n' \"$((6*7))\" it\\''s'"),
                new RecordingExecContext());
        executor.operationFinished(new OperationId(1));
        StepResult c = executor.execute(request(2, "bm01", "echo third"), new RecordingExecContext());
        executor.operationFinished(new OperationId(2));

        assertThat(List.of(a, b, c)).extracting(StepResult::outcome).containsOnly(StepOutcome.SUCCEEDED);
        assertThat(b.lastLine()).isEqualTo("it's");
        assertThat(posix.acceptedLogins() - logins).isEqualTo(2);
        assertThat(commands(posixLog)).as("each command behind the process-group marker, unchanged")
                .map(SshLoginShellTest::withoutMarker).containsExactly(SshExecutor.SHELL_PROBE, "echo first",
                "printf '%s\\n' \"$((6*7))\" it\\''s'", SshExecutor.SHELL_PROBE, "echo third");
    }

    /** The command as the runbook has it: without the {@link GroupMarker} line printed before it. */
    private static String withoutMarker(String sent) {
        return sent.replaceFirst("^printf 'bd-pgid-[0-9a-f]{16} %s\\\\n' \"\\$\\$\" >&2; ", "");
    }
}
