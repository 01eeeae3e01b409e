package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/**
 * The shipped worker-repo-change runbook through the jar on the real sshd: three workers (one machine, so each has
 * its own repo file: the runbook's {@code f={{repo_file}}} becomes {@code f={{repo_file}}.{{host}}}), paths moved
 * from /etc/yum.repos.d to the test folder, and {@code self_approve: true} (the console is one identity). A failing
 * verify puts the old file back on every worker; kill -9 while verify waits puts it back after the restart.
 */
class WorkerRepoChangeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SHIPPED = Path.of("..", "config", "runbooks", "worker-repo-change.yml");
    private static final List<String> WORKERS = List.of("w1", "w2", "w3");

    @TempDir
    Path dir;

    private Path root;
    private Path repos;
    private Sshd sshd;

    @BeforeEach
    void workers() throws Exception {
        root = dir.toRealPath();
        repos = Files.createDirectories(root.resolve("repos"));
        for (String w : WORKERS) {
            Files.writeString(repo(w), "[old " + w + "]\n");
        }
        sshd = Sshd.start(dir.resolve("sshd"));
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.createDirectories(dir.resolve("runbooks"));
        String runbook = Files.readString(SHIPPED)
                .replace("/etc/yum.repos.d", repos.toString())
                .replace("/srv/repos", repos.toString())
                .replace("self_approve: false", "self_approve: true")
                .replace("f={{repo_file}}", "f={{repo_file}}.{{host}}");
        Files.writeString(dir.resolve("runbooks/worker-repo-change.yml"), runbook);
        StringBuilder hosts = new StringBuilder();
        for (String w : WORKERS) {
            hosts.append("    ").append(w).append(": { address: 127.0.0.1, port: ").append(sshd.port())
                    .append(", groups: [workers] }\n");
        }
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                roles: { releng: ["console:local"] }
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 5s, keepalive: 2s }
                  hosts:
                """.formatted(sshd.clientKey(), sshd.user()) + hosts);
    }

    @AfterEach
    void stop() throws Exception {
        Files.writeString(root.resolve("go"), "");   // lets a verify left waiting by the kill end
        if (sshd != null) {
            sshd.close();
        }
    }

    private Path repo(String worker) {
        return repos.resolve("buildduty.repo." + worker);
    }

    @Test
    void aFailingVerifyPutsTheOldFileBackOnEveryWorker() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.type("run worker-repo-change --content '[new]\\nbaseurl=http://mirror/el9' --verify 'test -s "
                    + repos + "/buildduty.repo.$1'");
            bot.expect("approve with \"!approve 1\"", WAIT);
            bot.type("approve 1");
            bot.expect("worker-repo-change #1 [", WAIT);
            bot.expect("succeeded", WAIT);
            for (String w : WORKERS) {
                assertThat(Files.readString(repo(w))).isEqualTo("[new]\nbaseurl=http://mirror/el9\n");
                assertThat(Files.readString(repos.resolve("buildduty.repo." + w + ".buildduty-backup")))
                        .isEqualTo("[old " + w + "]\n");
            }

            Files.writeString(root.resolve("broken-w2"), "");
            bot.type("run worker-repo-change --content '[newer]' --verify 'test ! -e " + root + "/broken-$1'");
            bot.expect("approve with \"!approve 2\"", WAIT);
            bot.type("approve 2");
            List<String> lines = bot.expect("rolled back 1 step", WAIT);
            assertThat(String.join("\n", lines))
                    .contains("worker-repo-change #2 failed at step \"verify\": w2: exit 1");
            for (String w : WORKERS) {
                assertThat(Files.readString(repo(w))).as(w).isEqualTo("[new]\nbaseurl=http://mirror/el9\n");
            }
            assertThat(String.join("\n", bot.stdout())).contains("#2 w1| restored " + repo("w1"))
                    .contains("#2 w3| restored " + repo("w3"));
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    @Test
    void killedWhileVerifyWaitsTheOldFilesAreBackAfterTheRestart() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.type("run worker-repo-change --content '[new]' --verify 'while [ ! -e " + root
                    + "/go ]; do sleep 0.2; done'");
            bot.expect("approve with \"!approve 1\"", WAIT);
            bot.type("approve 1");
            long end = System.nanoTime() + WAIT.toNanos();
            while (recorded("apply", "SUCCEEDED") < 3 || recorded("verify", null) < 3) {
                assertThat(System.nanoTime()).as("applied everywhere, verify waiting; stdout: %s", bot.stdout())
                        .isLessThan(end);
                Thread.sleep(50);
            }
            for (String w : WORKERS) {
                assertThat(Files.readString(repo(w))).isEqualTo("[new]\n");
            }
            bot.kill();
        }
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.expect("rolling back as its runbook asks (on_restart: rollback)", WAIT);
            bot.expect("worker-repo-change #1 interrupted by a restart · rolled back 1 step", WAIT);
            for (String w : WORKERS) {
                assertThat(Files.readString(repo(w))).as(w).isEqualTo("[old " + w + "]\n");
            }
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    /** Host runs of operation 1's step {@code step} with this outcome (null: still running), read beside the bot. */
    private long recorded(String step, String outcome) throws SQLException {
        Path db = dir.resolve("data/bot.db");
        if (!Files.exists(db)) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 5000");
            ResultSet rs = st.executeQuery("SELECT count(*) FROM host_runs WHERE op = 1 AND rollback = 0 AND step_name"
                    + " = '" + step + "' AND outcome " + (outcome == null ? "IS NULL" : "= '" + outcome + "'"));
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return 0;
            }
            throw e;
        }
    }
}
