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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the real jar in the middle of a fan-out whose runbook says {@code on_restart: rollback}: after the
 * restart the operation is reported interrupted with what had completed, the completed steps are rolled back where
 * they succeeded (and only there), and no forward step runs again.
 */
class CrashRollbackIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void anInterruptedFanOutIsRolledBackOnRestartAndNeverReRun() throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/switch.yml"), String.join("\n",
                "name: switch",
                "role: anyone",
                "description: stage, then switch each host; undone on restart",
                "on_restart: rollback",
                "params:",
                "  hosts: { type: group, default: local }",
                "steps:",
                "  - name: stage",
                "    local: { command: \"touch " + work + "/staged\" }",
                "    rollback:",
                "      local: { command: \"rm " + work + "/staged; echo unstaged\" }",
                "  - name: switch",
                "    local:",
                "      hosts: \"{{hosts}}\"",
                "      parallel: 3",
                "      command: \"test {{host}} = local3 && sleep 120; touch " + work + "/switched-{{host}}; "
                        + "echo switched {{host}}\"",
                "    on_host_failure: continue",
                "    rollback:",
                "      local: { command: \"rm " + work + "/switched-{{host}}; echo switched back {{host}}\" }",
                "  - name: announce",
                "    local: { command: \"touch " + work + "/announced\" }",
                ""));
        BotFiles.consoleConfig(dir, "off", """
                inventory:
                  hosts:
                    local1: { address: 127.0.0.1, groups: [local] }
                    local2: { address: 127.0.0.1, groups: [local] }
                    local3: { address: 127.0.0.1, groups: [local] }
                """);
        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("run switch");
            long end = System.nanoTime() + WAIT.toNanos();
            // The journal, not the printed output, is what the restart reads: a host's line is printed before its
            // result is recorded, so wait until the results of local1 and local2 are committed.
            while (!(Files.exists(work.resolve("switched-local1")) && Files.exists(work.resolve("switched-local2"))
                    && switchedHostsRecorded() == 2)) {
                assertThat(System.nanoTime()).as("local1 and local2 switched; stdout: %s", bot.stdout())
                        .isLessThan(end);
                Thread.sleep(50);
            }
            bot.kill();
        }
        assertThat(switchedHostsRecorded()).as("results recorded before the kill").isEqualTo(2);
        assertThat(work.resolve("staged")).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/bot.db"));
                Statement st = c.createStatement()) {
            ResultSet mode = st.executeQuery("PRAGMA journal_mode");
            assertThat(mode.next() && mode.getString(1).equals("wal")).as("WAL mode").isTrue();
            ResultSet check = st.executeQuery("PRAGMA integrity_check");
            assertThat(check.next() ? check.getString(1) : "no answer").as("the journal after kill -9").isEqualTo("ok");
        }

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            List<String> lines = bot.expect("switch #1 interrupted: the bot restarted while it was running; completed: "
                    + "step 1 stage (1/1 ok), step 2 switch (2/3 ok, 1 cut off); rolling back as its runbook asks "
                    + "(on_restart: rollback); not re-run", WAIT);
            lines.addAll(bot.expect("switch #1 interrupted by a restart · rolled back 2 steps", WAIT));
            String all = String.join("\n", bot.stdout());
            assertThat(all).contains("switched back local1").contains("switched back local2").contains("unstaged")
                    .doesNotContain("switched back local3").doesNotContain("switched local");
            assertThat(work.resolve("staged")).doesNotExist();
            assertThat(work.resolve("switched-local1")).doesNotExist();
            assertThat(work.resolve("switched-local2")).doesNotExist();
            assertThat(work.resolve("announced")).doesNotExist();
            bot.type("op 1");
            bot.expect("switch #1 by local · interrupted", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("ops");
            bot.expect("no operations", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(bot.stdout()).noneMatch(l -> l.contains("switch #1"));
        }
    }

    /** Hosts whose forward {@code switch} step the journal has recorded as succeeded (read alongside the live bot). */
    private long switchedHostsRecorded() throws SQLException {
        Path db = dir.resolve("data/bot.db");
        if (!Files.exists(db)) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 5000");
            ResultSet rs = st.executeQuery("SELECT count(*) FROM host_runs WHERE op = 1 AND step_name = "
                    + "'switch' AND rollback = 0 AND host IN ('local1', 'local2') AND outcome = 'SUCCEEDED'");
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return 0;
            }
            throw e;
        }
    }
}
