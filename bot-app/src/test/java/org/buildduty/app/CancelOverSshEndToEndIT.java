package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Processes;
import org.buildduty.exec.testing.Sshd;

/**
 * The real jar, driven through the console: {@code cancel} and a step timeout stop a silent remote command on three
 * host aliases of a real sshd, logged in as the user running the tests (root here, whose signal requests OpenSSH
 * refuses), before the operation is said to be over.
 */
class CancelOverSshEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> HOSTS = List.of("web1", "web2", "web3");

    @TempDir
    Path dir;

    private Sshd sshd;
    private Path pids;

    @BeforeEach
    void servers() throws IOException {
        sshd = Sshd.start(dir.resolve("sshd"));
        pids = Files.createDirectory(dir.resolve("pids"));
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.createDirectories(dir.resolve("runbooks"));
        for (String name : List.of("hold", "hold-short")) {
            Files.writeString(dir.resolve("runbooks/" + name + ".yml"), """
                    name: NAME
                    role: anyone
                    steps:
                      - name: hold
                        ssh:
                          hosts: web
                          parallel: 3
                          command: "echo $$ > P/{{host}}.s; sleep 300 & echo $! > P/{{host}}.c; echo started; wait"
                        timeout: LIMIT
                    """.replace("NAME", name).replace("LIMIT", name.equals("hold") ? "10m" : "2s")
                    .replace("P/", pids + "/"));
        }
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 5s, keepalive: 2s }
                  hosts:
                    web1: { address: 127.0.0.1, port: %d, groups: [web] }
                    web2: { address: 127.0.0.1, port: %d, groups: [web] }
                    web3: { address: 127.0.0.1, port: %d, groups: [web] }
                """.formatted(sshd.clientKey(), sshd.user(), sshd.port(), sshd.port(), sshd.port()));
    }

    @AfterEach
    void stop() throws IOException {
        for (long pid : remotePids(false)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void cancelAndATimeoutStopTheRemoteCommandsBeforeTheOperationEnds() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"))) {
            bot.type("run hold");
            BotProcess.awaitCondition("the commands started", WAIT, () -> remotePids(false).size() == 6);
            List<Long> first = remotePids(true);

            bot.type("cancel 1");
            List<String> cancelled = bot.expect("hold #1 cancelled", WAIT);
            assertThat(first).as("nothing of #1 runs once it is cancelled")
                    .noneMatch(Processes::running);
            assertThat(String.join("\n", cancelled)).doesNotContain("could not stop");

            clearPids();
            bot.type("run hold-short");
            BotProcess.awaitCondition("the commands started", WAIT, () -> remotePids(false).size() == 6);
            List<Long> second = remotePids(true);
            List<String> timedOut = bot.expect("hold-short #2 failed", WAIT);
            assertThat(second).as("nothing of #2 runs once it timed out")
                    .noneMatch(Processes::running);
            assertThat(String.join("\n", timedOut)).contains("timed out").doesNotContain("could not stop");

            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    /** The pids the remote commands wrote (shell and child per host); all of them or fail when {@code all}. */
    private List<Long> remotePids(boolean all) {
        List<Long> out = new ArrayList<>();
        for (String host : HOSTS) {
            for (String kind : List.of("s", "c")) {
                Path file = pids.resolve(host + "." + kind);
                try {
                    String text = Files.readString(file).strip();
                    if (!text.isEmpty()) {
                        out.add(Long.parseLong(text));
                    }
                } catch (IOException | NumberFormatException e) {
                    if (all) {
                        throw new AssertionError("no pid in " + file, e);
                    }
                }
            }
        }
        return out;
    }

    private void clearPids() throws IOException {
        for (String host : HOSTS) {
            Files.deleteIfExists(pids.resolve(host + ".s"));
            Files.deleteIfExists(pids.resolve(host + ".c"));
        }
    }
}
