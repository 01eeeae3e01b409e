package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/**
 * A step's {@code retries} and {@code retry <id>} through the jar on the real sshd: three hosts, a step that fails on
 * the host whose {@code fail-HOST} file exists; every run appends a line to {@code calls-STEP-HOST}, so the test
 * counts exactly what ran where.
 */
class RetryEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> HOSTS = List.of("w1", "w2", "w3");

    @TempDir
    Path dir;

    private Path root;
    private Sshd sshd;

    @BeforeEach
    void hosts() throws Exception {
        root = dir.toRealPath();
        sshd = Sshd.start(dir.resolve("sshd"));
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/rollout.yml"), String.join("\n",
                "name: rollout",
                "role: anyone",
                "description: prepare, switch (retried once), finish",
                "steps:",
                "  - name: prepare",
                "    ssh: { hosts: workers, parallel: 3, command: \"echo x >> " + root + "/calls-prepare-{{host}}\" }",
                "  - name: switch",
                "    ssh:",
                "      hosts: workers",
                "      parallel: 3",
                "      command: \"echo x >> " + root + "/calls-switch-{{host}}; test ! -e " + root + "/fail-{{host}}\"",
                "    on_host_failure: continue",
                "    retries: { count: 1, delay: 1s }",
                "  - name: finish",
                "    ssh: { hosts: workers, parallel: 3, command: \"echo x >> " + root + "/calls-finish-{{host}}\" }",
                ""));
        StringBuilder hosts = new StringBuilder();
        for (String h : HOSTS) {
            hosts.append("    ").append(h).append(": { address: 127.0.0.1, port: ").append(sshd.port())
                    .append(", groups: [workers] }\n");
        }
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 5s, keepalive: 2s }
                  hosts:
                """.formatted(sshd.clientKey(), sshd.user()) + hosts);
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    private long calls(String step, String host) throws IOException {
        Path f = root.resolve("calls-" + step + "-" + host);
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void aFailedHostIsRetriedThenRetryRerunsExactlyItFromTheFailedStep() throws Exception {
        Files.writeString(root.resolve("fail-w2"), "");
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.type("run rollout");
            bot.expect("rollout #1 step 2 on w2: retry 1 of 1 in 1s (exit 1)", WAIT);
            bot.expect("rollout #1 failed at step \"switch\"", WAIT);
            assertThat(calls("switch", "w2")).isEqualTo(2);
            bot.type("op 1");
            bot.expect("step 2 switch: 2/3 ok, 1 failed: w2: exit 1 · w2 failed, retried 1×, failed", WAIT);

            Files.delete(root.resolve("fail-w2"));
            bot.type("retry 1");
            bot.expect("rollout #2 retries #1 from step 2 \"switch\" on w2 · started", WAIT);
            bot.expect("rollout #2 [", WAIT);
            bot.expect("succeeded", WAIT);
            bot.type("retry 2");
            bot.expect("cannot retry rollout #2: it succeeded", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
        for (String h : HOSTS) {
            assertThat(calls("prepare", h)).as("prepare on " + h).isEqualTo(1);
            assertThat(calls("finish", h)).as("finish on " + h).isEqualTo(1);
        }
        assertThat(calls("switch", "w1")).isEqualTo(1);
        assertThat(calls("switch", "w2")).isEqualTo(3);
        assertThat(calls("switch", "w3")).isEqualTo(1);
    }
}
