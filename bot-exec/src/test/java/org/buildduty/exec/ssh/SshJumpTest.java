package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.ssh.SshTesting.knownHosts;
import static org.buildduty.exec.ssh.SshTesting.options;
import static org.buildduty.exec.ssh.SshTesting.request;
import static org.buildduty.exec.ssh.SshTesting.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.testing.Sshd;

/**
 * Hosts behind jump hosts: a bastion sshd that allows TCP forwarding, and a target sshd, both on 127.0.0.1. Each has
 * its own client key, so the inventory gives each host its key file.
 */
class SshJumpTest {
    @TempDir
    Path dir;
    Sshd bastion;
    Sshd target;
    SshExecutor ssh;

    @BeforeEach
    void start() throws IOException {
        bastion = Sshd.start(dir.resolve("bastion"), "DEBUG1", "AllowTcpForwarding yes");
        target = Sshd.start(dir.resolve("target"));
    }

    @AfterEach
    void stop() {
        if (ssh != null) {
            ssh.close();
        }
        target.close();
        bastion.close();
    }

    private SshExecutor executor(Path knownHosts, SshTarget... targets) {
        return executor(options(knownHosts, bastion.clientKey()), targets);
    }

    /** bm01 on the target sshd, with its own key, reached through the bastion. */
    private SshExecutor throughBastion(Path knownHosts) {
        return executor(knownHosts, target("bastion", bastion),
                target("bm01", target).withKeyFile(target.clientKey()).via("bastion"));
    }

    private SshExecutor executor(SshOptions options, SshTarget... targets) {
        Map<String, SshTarget> inventory = new HashMap<>();
        for (SshTarget t : targets) {
            inventory.put(t.name(), t);
        }
        // The default key is the bastion's; the target host has its own key file.
        ssh = new SshExecutor(SshHosts.of(inventory), options);
        return ssh;
    }

    /**
     * Proof that the target was reached through the bastion: the target reports the client end of its connection
     * ({@code $SSH_CONNECTION}), and that local port belongs to a socket held by the bastion's sshd processes, not by
     * this JVM; the bastion's log shows the {@code direct-tcpip} request for the target's port.
     */
    @Test
    void reachesTheTargetThroughTheJumpHost() throws IOException {
        SshExecutor executor = throughBastion(knownHosts(dir, bastion.knownHostsLine(), target.knownHostsLine()));
        RecordingExecContext context = new RecordingExecContext();

        StepResult result = executor.execute(request(1, "bm01", "echo $SSH_CONNECTION"), context);

        assertThat(result.outcome()).as(result.reason()).isEqualTo(StepOutcome.SUCCEEDED);
        String[] connection = result.lastLine().split(" ");
        assertThat(connection[3]).isEqualTo(Integer.toString(target.port()));
        int clientPort = Integer.parseInt(connection[1]);
        assertThat(socketOwners(clientPort, target.port())).isNotEmpty()
                .allSatisfy(pid -> assertThat(treeOf(bastion)).contains(pid));
        assertThat(bastion.log()).contains("direct-tcpip").contains("target 127.0.0.1 port " + target.port());
        assertThat(executor.openConnections()).as("bastion and target").isEqualTo(2);

        executor.operationFinished(new OperationId(1));
        assertThat(executor.openConnections()).isZero();
    }

    /** A target that stops answering behind a live bastion is noticed by the target session's own keepalives. */
    @Test
    void aSilentTargetBehindTheJumpHostIsNoticed() throws Exception {
        SshExecutor executor = executor(options(knownHosts(dir, bastion.knownHostsLine(), target.knownHostsLine()),
                bastion.clientKey()).withKeepAlive(Duration.ofMillis(500)),
                target("bastion", bastion),
                target("bm01", target).withKeyFile(target.clientKey()).via("bastion"));
        RecordingExecContext context = new RecordingExecContext();
        CompletableFuture<StepResult> run = CompletableFuture.supplyAsync(
                () -> executor.execute(request(7, "bm01", "echo started; sleep 30"), context));
        context.awaitLines(1, Duration.ofSeconds(10));

        target.freeze();

        StepResult result = run.get(15, TimeUnit.SECONDS);
        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).isEqualTo("connection to bm01 lost");
    }

    @Test
    void followsAChainOfJumpHosts() throws IOException {
        SshExecutor executor = executor(knownHosts(dir, bastion.knownHostsLine(), target.knownHostsLine()),
                target("bastion", bastion),
                target("inner", bastion).via("bastion"),
                target("bm01", target).withKeyFile(target.clientKey()).via("inner"));
        int bastionLogins = bastion.acceptedLogins();

        StepResult result = executor.execute(request(2, "bm01", "echo deep"), new RecordingExecContext());

        assertThat(result.outcome()).as(result.reason()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(result.lastLine()).isEqualTo("deep");
        assertThat(bastion.acceptedLogins() - bastionLogins).as("bastion, then inner through it").isEqualTo(2);
        assertThat(executor.openConnections()).isEqualTo(3);
    }

    @Test
    void theJumpHostKeyIsCheckedToo() throws IOException {
        SshExecutor executor = throughBastion(knownHosts(dir, target.knownHostsLine()));

        StepResult result = executor.execute(request(3, "bm01", "true"), new RecordingExecContext());

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).isEqualTo("host key of bastion ([127.0.0.1]:" + bastion.port()
                + ") is unknown: the server offered ssh-ed25519 " + bastion.hostKeyFingerprint()
                + ", which is not in known_hosts; refusing to connect");
        assertThat(target.acceptedLogins()).isZero();
    }

    @Test
    void theTargetKeyIsCheckedBehindTheJumpHost() throws IOException {
        SshExecutor executor = throughBastion(knownHosts(dir, bastion.knownHostsLine()));

        StepResult result = executor.execute(request(4, "bm01", "true"), new RecordingExecContext());

        assertThat(result.reason()).isEqualTo("host key of bm01 ([127.0.0.1]:" + target.port()
                + ") is unknown: the server offered ssh-ed25519 " + target.hostKeyFingerprint()
                + ", which is not in known_hosts; refusing to connect");
    }

    @Test
    void aJumpHostThatRefusesForwardingFailsClearly() throws IOException {
        SshExecutor executor = executor(knownHosts(dir, bastion.knownHostsLine(), target.knownHostsLine()),
                target("plain", target).withKeyFile(target.clientKey()),
                target("bm01", bastion).via("plain"));

        StepResult result = executor.execute(request(5, "bm01", "true"), new RecordingExecContext());

        assertThat(result.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.reason()).startsWith("jump host plain could not open a connection to 127.0.0.1:"
                + bastion.port());
    }

    @Test
    void unknownAndLoopingJumpHostsFailWithoutConnecting() throws IOException {
        SshExecutor executor = executor(knownHosts(dir),
                SshTarget.of("a", "127.0.0.1", 22, "root").via("b"),
                SshTarget.of("b", "127.0.0.1", 22, "root").via("a"),
                SshTarget.of("c", "127.0.0.1", 22, "root").via("nowhere"));

        assertThat(executor.execute(request(6, "a", "true"), new RecordingExecContext()).reason())
                .isEqualTo("jump hosts form a loop: a -> b -> a");
        assertThat(executor.execute(request(6, "c", "true"), new RecordingExecContext()).reason())
                .isEqualTo("jump host nowhere of c is not in the inventory");
    }

    /** The pids holding the TCP socket 127.0.0.1:localPort → 127.0.0.1:remotePort, from /proc. */
    private static List<Long> socketOwners(int localPort, int remotePort) throws IOException {
        String inode = null;
        String local = String.format(":%04X", localPort);
        String remote = String.format(":%04X", remotePort);
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                inode = f[9];
            }
        }
        assertThat(inode).as("a socket from port " + localPort + " to " + remotePort).isNotNull();
        String link = "socket:[" + inode + "]";
        List<Long> owners = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try (var fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
                if (fds.anyMatch(fd -> link.equals(readLink(fd)))) {
                    owners.add(p.pid());
                }
            } catch (IOException | RuntimeException e) {
                // Gone or not ours to read.
            }
        });
        return owners;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static List<Long> treeOf(Sshd sshd) {
        List<Long> pids = new ArrayList<>();
        pids.add(sshd.pid());
        Optional<ProcessHandle> root = ProcessHandle.of(sshd.pid());
        root.ifPresent(r -> r.descendants().forEach(p -> pids.add(p.pid())));
        return pids;
    }
}
