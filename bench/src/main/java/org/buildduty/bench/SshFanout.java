package org.buildduty.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.runner.Runner;
import org.buildduty.exec.ssh.SshExecutor;
import org.buildduty.exec.ssh.SshHosts;
import org.buildduty.exec.ssh.SshOptions;
import org.buildduty.exec.ssh.SshTarget;
import org.buildduty.exec.testing.Sshd;

/**
 * The fan-out benches' shared part: many inventory aliases of one real sshd, and one operation of one step run
 * through a real {@link Runner}, timing every host run.
 */
final class SshFanout {
    private SshFanout() {
    }

    /** {@code n} aliases of {@code sshd}, named by {@code format} ({@code "h%02d"}), in order. */
    static Map<String, SshTarget> aliases(Sshd sshd, String format, int n) {
        Map<String, SshTarget> inventory = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            String name = String.format(format, i);
            inventory.put(name, sshd.target(name));
        }
        return inventory;
    }

    /** Options trusting exactly {@code sshd}'s host key (written to {@code dir/known_hosts}), with its client key. */
    static SshOptions options(Sshd sshd, Path dir) throws IOException {
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, sshd.knownHostsLine() + "\n");
        return SshOptions.defaults(knownHosts).withDefaultKeyFile(sshd.clientKey()).withAgent(false);
    }

    /** One level of a fan-out bench: operation {@code id} at this {@code parallel}. */
    @FunctionalInterface
    interface Level {
        void run(Runner runner, long id, int parallel) throws Exception;
    }

    /**
     * Runs one level per entry of {@code parallels}, as operations 1, 2, ..., through one runner over one SSH executor
     * for {@code inventory} (room for every host at once), then closes both.
     */
    static void levels(Map<String, SshTarget> inventory, SshOptions options, List<Integer> parallels, Level level)
            throws Exception {
        try (SshExecutor ssh = new SshExecutor(SshHosts.of(inventory), options);
                Runner runner = Runner.builder().executor(ssh).maxConcurrentHostRuns(Math.max(inventory.size(), 1))
                        .build()) {
            long id = 1;
            for (int parallel : parallels) {
                level.run(runner, id++, parallel);
            }
        }
    }

    /** How one operation ended and its wall time. */
    record Result(OperationState end, double wallSeconds) {
    }

    /** Runs {@code step} as operation {@code id} and waits for its end (at most 30 minutes). */
    static Result run(Runner runner, long id, String kind, String unit, StepSpec step, HostTimings timings)
            throws Exception {
        Operation op = new Operation(new OperationId(id), new OperationPlan(kind, Map.of(), List.of(step),
                ApprovalPolicy.NONE, unit), Identity.parse("console:bench"), ChatAddress.of("console", "bench"),
                Instant.now(), OperationState.QUEUED);
        long start = System.nanoTime();
        OperationState end = runner.submit(op, timings).get(30, TimeUnit.MINUTES);
        return new Result(end, (System.nanoTime() - start) / 1e9);
    }

    /** Host run start and finish times, and failures, by host. */
    static class HostTimings extends ProgressSink {
        private final Map<String, Long> started = new ConcurrentHashMap<>();
        private final Map<String, Long> finished = new ConcurrentHashMap<>();
        private final List<String> failed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void hostStarted(Operation op, int index, StepSpec step, String host) {
            started.put(host, System.nanoTime());
        }

        @Override
        public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
            finished.put(result.host(), System.nanoTime());
            if (result.outcome() != StepOutcome.SUCCEEDED) {
                failed.add(result.summary());
            }
        }

        /** Each finished host run's time, connect to close, in seconds. */
        Map<String, Double> hostSeconds() {
            Map<String, Double> seconds = new LinkedHashMap<>();
            started.forEach((host, t0) -> {
                Long t1 = finished.get(host);
                if (t1 != null) {
                    seconds.put(host, (t1 - t0) / 1e9);
                }
            });
            return seconds;
        }

        List<String> failed() {
            return List.copyOf(failed);
        }

        /** Empty when the operation succeeded, else {@code  (failed: why; why)}. */
        String outcome(OperationState end) {
            return end == OperationState.SUCCEEDED ? "" : "  (" + end.label() + ": " + String.join("; ", failed) + ")";
        }
    }
}
