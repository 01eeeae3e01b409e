package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.request;
import static org.buildduty.exec.ssh.SshTesting.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.testing.ServerFixture;
import org.buildduty.exec.testing.Sshd;

/** Keys from a real ssh-agent, reached over its unix socket. */
class SshAgentTest {
    @RegisterExtension
    final ServerFixture<Sshd> sshd = ServerFixture.perTest(Sshd::start);

    @TempDir
    Path dir;
    Process agent;
    Path socket;

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("agent.sock");
        agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.exists(socket)) {
            assertThat(agent.isAlive()).as("ssh-agent runs").isTrue();
            assertThat(System.nanoTime()).as("ssh-agent socket appears").isLessThan(deadline);
            Thread.sleep(10);
        }
        ProcessBuilder addKey = new ProcessBuilder("ssh-add", sshd.get().clientKey().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("ssh-add.log").toFile());
        addKey.environment().put("SSH_AUTH_SOCK", socket.toString());
        Process add = addKey.start();
        assertThat(add.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(add.exitValue()).as(Files.readString(dir.resolve("ssh-add.log"))).isZero();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.destroyForcibly();
        }
    }

    @Test
    void logsInWithTheAgentsKeyWhenNoKeyFileIsConfigured() throws IOException {
        SshOptions options = SshOptions.defaults(knownHosts(dir, sshd.get().knownHostsLine()))
                .withConnectTimeout(Duration.ofSeconds(5));
        try (SshExecutor ssh = new SshExecutor(SshHosts.of(Map.of("bm01", target("bm01", sshd.get()))), options,
                name -> "SSH_AUTH_SOCK".equals(name) ? socket.toString() : null)) {
            StepResult result = ssh.execute(request(1, "bm01", "echo agent"), new RecordingExecContext());

            assertThat(result.outcome()).as(result.reason()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(result.lastLine()).isEqualTo("agent");
        }
    }

    @Test
    void withoutAgentOrKeyFileThereIsNothingToLogInWith() throws IOException {
        SshOptions options = SshOptions.defaults(knownHosts(dir, sshd.get().knownHostsLine())).withAgent(false);
        try (SshExecutor ssh = new SshExecutor(SshHosts.of(Map.of("bm01", target("bm01", sshd.get()))), options,
                name -> socket.toString())) {
            StepResult result = ssh.execute(request(2, "bm01", "true"), new RecordingExecContext());

            assertThat(result.reason()).isEqualTo(
                    "no key to log in with: configure a key file or an ssh-agent (SSH_AUTH_SOCK)");
        }
    }
}
