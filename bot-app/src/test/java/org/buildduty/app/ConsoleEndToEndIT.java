package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar, driven through the console connector, with the shipped configuration and runbooks. */
class ConsoleEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @BeforeEach
    void copyShippedConfig() throws IOException {
        BotProcess.copyShippedConfig(dir);
    }

    @Test
    void helpWhoamiDemoApprovalAndCtrlD() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("help");
            List<String> help = bot.expect("for one command's options", WAIT);
            assertThat(String.join("\n", help)).contains("!run <runbook>").contains("!approve <id>");

            bot.type("whoami");
            bot.expect("you are console:local", WAIT);

            bot.type("run demo --pause 0");
            bot.expect("demo #1 started", WAIT);
            List<String> run = bot.expect("demo #1 [############] 3/3 steps · succeeded", WAIT);
            assertThat(String.join("\n", run)).contains("#1 local1| done on local1")
                    .contains("#1 local3| done on local3");

            bot.type("run demo-approval --message 'hello $(touch CANARY) `touch CANARY`; touch CANARY'");
            bot.expect("approve with \"!approve 2\"", WAIT);
            bot.type("ops");
            bot.expect("demo-approval #2 by local · pending approval", WAIT);
            bot.type("approve 2");
            bot.expect("demo-approval #2 approved by local; running", WAIT);
            List<String> printed = bot.expect("demo-approval #2 [############] 1/1 steps · succeeded", WAIT);
            assertThat(printed).contains("#2| hello $(touch CANARY) `touch CANARY`; touch CANARY");
            assertThat(dir.resolve("CANARY")).doesNotExist();

            bot.type("op 1");
            bot.expect("step 2 fan out: 3/3 ok", WAIT);
            bot.type("reconfgi");
            bot.expect("unknown command", WAIT);
            bot.type("mbs watch 570");
            bot.expect("mbs is not configured on this bot: add services.mbs (url, ...) to the configuration", WAIT);

            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    @Test
    void killedMidRunIsReportedInterruptedOnRestartAndNeverReRun() throws Exception {
        Files.writeString(dir.resolve("config/runbooks/slow.yml"), String.join("\n",
                "name: slow",
                "role: anyone",
                "description: two steps, the second one slow",
                "steps:",
                "  - name: first",
                "    local: { command: \"echo first done\" }",
                "  - name: second",
                "    local: { command: \"echo second started; sleep 60; echo second finished\" }",
                ""));
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("run slow");
            bot.expect("#1| second started", WAIT);
            bot.kill();
        }
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            List<String> lines = bot.expect("slow #1 interrupted", WAIT);
            assertThat(lines.get(lines.size() - 1)).contains("completed: step 1 first (1/1 ok), step 2 second "
                    + "(0/1 ok, 1 cut off)").contains("not re-run");
            bot.type("op 1");
            bot.expect("slow #1 by local · interrupted", WAIT);
            bot.type("run demo --pause 0");
            bot.expect("demo #2 started", WAIT);
            bot.expect("demo #2 [############] 3/3 steps · succeeded", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(bot.stdout()).noneMatch(l -> l.contains("second finished"));
        }
    }

    @Test
    void aMaintenanceWindowIsKeptAcrossARestart() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("maintenance buildbot upgrade --at +2h --duration 1h --notify #ops");
            bot.expect("scheduled maintenance 1: buildbot upgrade", WAIT);
            bot.type("maintenance list");
            bot.expect("UTC, scheduled, starts in", WAIT);
            assertThat(bot.stdout()).anyMatch(l -> l.contains("Maintenance 1: buildbot upgrade, "));
            assertThat(bot.endInput(WAIT)).isZero();
        }
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("maintenance list");
            bot.expect("UTC, scheduled, starts in", WAIT);
            bot.type("maintenance cancel 1");
            bot.expect("cancelled maintenance 1 (buildbot upgrade); told 1 target", WAIT);
            bot.type("maintenance list");
            bot.expect("UTC, cancelled by local", WAIT);
            assertThat(bot.stdout()).anyMatch(l -> l.contains("Maintenance 1 cancelled by local: buildbot upgrade"))
                    .noneMatch(l -> l.contains("Maintenance 2"));
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    @Test
    void pendingApprovalSurvivesARestart() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("run demo-approval --message kept");
            bot.expect("approve with \"!approve 1\"", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
        try (BotProcess bot = BotProcess.start(dir, "config/buildduty.yml")) {
            bot.type("ops");
            bot.expect("demo-approval #1 by local · pending approval", WAIT);
            bot.type("approve 1");
            bot.expect("demo-approval #1 [############] 1/1 steps · succeeded", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    @Test
    void configErrorsNameFileLineAndFieldAndExitTwo() throws Exception {
        Files.writeString(dir.resolve("bad.yml"), String.join("\n",
                "bot:",
                "  prefix: \"!\"",
                "  jounral: data/x.db",
                "connectors:",
                "  - id: console",
                "    type: console",
                ""));
        try (BotProcess bot = BotProcess.start(dir, "bad.yml")) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).anyMatch(l -> l.startsWith("bad.yml:3: bot.jounral: unknown key"));
        }
    }

    @Test
    void checkValidatesBesideARunningBotWithoutTouchingTheJournal() throws Exception {
        try (BotProcess running = BotProcess.start(dir, "config/buildduty.yml")) {
            running.type("whoami");
            running.expect("you are console:local", WAIT);
            try (BotProcess check = BotProcess.start(dir, List.of("--config", "config/buildduty.yml", "--check"))) {
                assertThat(check.expect("config/buildduty.yml: ok", WAIT))
                        .containsExactly("config/buildduty.yml: ok (20 commands, 6 runbooks)");
                assertThat(check.waitFor(WAIT)).isZero();
            }
            assertThat(running.endInput(WAIT)).isZero();
        }
        Path fresh = dir.resolve("fresh");
        Files.createDirectories(fresh);
        Files.move(dir.resolve("config"), fresh.resolve("config"));
        try (BotProcess check = BotProcess.start(fresh, List.of("--config", "config/buildduty.yml", "--check"))) {
            assertThat(check.waitFor(WAIT)).isZero();
        }
        assertThat(fresh.resolve("data/buildduty.db")).doesNotExist();
    }
}
