package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.options;
import static org.buildduty.exec.ssh.SshTesting.request;
import static org.buildduty.exec.ssh.SshTesting.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

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

/** Host keys are checked against known_hosts, always; a refusal names the host and the offered fingerprint. */
class SshHostKeyTest {
    @RegisterExtension
    final ServerFixture<Sshd> sshd = ServerFixture.perTest(Sshd::start);

    @TempDir
    Path dir;
    SshExecutor ssh;
    Path marker;

    @BeforeEach
    void start() throws IOException {
        marker = dir.resolve("ran");
    }

    @AfterEach
    void stop() {
        if (ssh != null) {
            ssh.close();
        }
    }

    private StepResult run(long op, Path knownHosts) {
        if (ssh == null) {
            ssh = new SshExecutor(SshHosts.of(Map.of("bm01", target("bm01", sshd.get()))),
                    options(knownHosts, sshd.get().clientKey()));
        }
        return ssh.execute(request(op, "bm01", "touch " + marker + "; echo ran"), new RecordingExecContext());
    }

    @Test
    void aChangedHostKeyIsRefusedNamingTheHostAndTheOfferedFingerprint() throws IOException {
        Path known = knownHosts(dir, sshd.get().knownHostsLine());
        assertThat(run(1, known).outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        Files.delete(marker);

        sshd.get().regenerateHostKey();
        StepResult second = run(2, known);

        assertThat(second.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(second.reason()).isEqualTo("host key of bm01 ([127.0.0.1]:" + sshd.get().port()
                + ") has changed: the server offered ssh-ed25519 " + sshd.get().hostKeyFingerprint()
                + ", which is not the key in known_hosts; refusing to connect");
        assertThat(marker).doesNotExist();
    }

    @Test
    void anUnknownHostIsRefused() throws IOException {
        StepResult result = run(3, knownHosts(dir));

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).isEqualTo("host key of bm01 ([127.0.0.1]:" + sshd.get().port()
                + ") is unknown: the server offered ssh-ed25519 " + sshd.get().hostKeyFingerprint()
                + ", which is not in known_hosts; refusing to connect");
        assertThat(marker).doesNotExist();
        assertThat(sshd.get().acceptedLogins()).isZero();
    }

    @Test
    void aMissingKnownHostsFileRefusesEveryHostNamingTheFileAndHowToFillIt() throws IOException {
        Path missing = dir.resolve("kh");
        StepResult result = run(4, missing);

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).isEqualTo("host key of bm01 ([127.0.0.1]:" + sshd.get().port()
                + ") cannot be checked: no known_hosts file " + missing + "; if the server's ssh-ed25519 "
                + sshd.get().hostKeyFingerprint() + " is right: ssh-keyscan -p " + sshd.get().port() + " 127.0.0.1 >> "
                + missing);
        assertThat(marker).doesNotExist();
    }

    @Test
    void hashedEntriesAreHonoured() throws IOException {
        Path known = knownHosts(dir, sshd.get().knownHostsLine());
        Sshd.run("ssh-keygen", "-q", "-H", "-f", known.toString());
        assertThat(Files.readString(known)).startsWith("|1|").doesNotContain("127.0.0.1");

        assertThat(run(5, known).outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(marker).exists();
    }

    @Test
    void aKeyFileForAnotherPortDoesNotCount() throws IOException {
        String otherPort = sshd.get().knownHostsLine().replace("]:" + sshd.get().port() + " ",
                "]:" + (sshd.get().port() + 1) + " ");

        StepResult result = run(6, knownHosts(dir, otherPort));

        assertThat(result.reason()).contains("is unknown");
    }

    @Test
    void aRevokedKeyIsRefused() throws IOException {
        Path known = knownHosts(dir, sshd.get().knownHostsLine(), "@revoked " + sshd.get().knownHostsLine());

        StepResult result = run(7, known);

        assertThat(result.reason()).isEqualTo("host key of bm01 ([127.0.0.1]:" + sshd.get().port()
                + ") is revoked in known_hosts: the server offered ssh-ed25519 " + sshd.get().hostKeyFingerprint()
                + "; refusing to connect");
        assertThat(marker).doesNotExist();
    }

    @Test
    void anEditedKnownHostsFileIsReRead() throws IOException {
        Path known = knownHosts(dir);
        assertThat(run(8, known).reason()).contains("is unknown");

        Files.writeString(known, sshd.get().knownHostsLine() + "\n");
        Files.setLastModifiedTime(known, FileTime.fromMillis(1000));

        assertThat(run(9, known).outcome()).isEqualTo(StepOutcome.SUCCEEDED);
    }
}
