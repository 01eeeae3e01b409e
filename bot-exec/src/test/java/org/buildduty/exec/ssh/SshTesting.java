package org.buildduty.exec.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.exec.testing.Sshd;

/** Builders shared by the SSH executor tests. */
final class SshTesting {
    static final Duration WAIT = Duration.ofSeconds(20);

    private SshTesting() {
    }

    /** A known_hosts file holding these lines. */
    static Path knownHosts(Path dir, String... lines) throws IOException {
        Path file = dir.resolve("known_hosts");
        Files.write(file, List.of(lines));
        return file;
    }

    /** Test options: this key, no agent, 5 s connect timeout, 1 s keepalive. */
    static SshOptions options(Path knownHosts, Path key) {
        return Sshd.testOptions(knownHosts, key);
    }

    /** Inventory host {@code name} on this sshd. */
    static SshTarget target(String name, Sshd sshd) {
        return sshd.target(name);
    }

    /** {@code n} aliases h01..hNN of one sshd. */
    static Map<String, SshTarget> aliases(int n, Sshd sshd) {
        Map<String, SshTarget> all = new LinkedHashMap<>();
        for (String name : names(n)) {
            all.put(name, target(name, sshd));
        }
        return all;
    }

    static List<String> names(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add(String.format("h%02d", i));
        }
        return names;
    }

    static ExecRequest request(long op, String host, String command) {
        return new ExecRequest(new OperationId(op), StepSpec.of("run", "ssh", Map.of("command", command)), host,
                Duration.ofMinutes(1));
    }

    static StepSpec step(String name, String command, List<String> hosts, int parallel, Duration timeout,
            StepSpec rollback) {
        return new StepSpec(name, "ssh", Map.of("command", command), hosts, parallel, timeout, null,
                OnHostFailure.STOP, rollback);
    }

    static Operation op(long id, StepSpec... steps) {
        return new Operation(new OperationId(id), new OperationPlan("ssh", Map.of(), List.of(steps),
                ApprovalPolicy.NONE, "hosts"), Identity.parse("console:local"), ChatAddress.of("console", "local"),
                Instant.now(), OperationState.QUEUED);
    }
}
