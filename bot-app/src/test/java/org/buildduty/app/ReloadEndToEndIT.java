package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reload} and SIGHUP through the real jar on the console: one bot process for the whole class, each test
 * changing the runbook folder under it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Path dir;
    private BotProcess bot;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        BotFiles.consoleConfig(dir, "off", "");
        BotFiles.localRunbook(dir, "hello", "says hello", "echo hello from the first set");
        bot = BotProcess.start(dir, "buildduty.yml");
        bot.expectErr("buildduty ready", WAIT);
    }

    @AfterAll
    void stop() throws Exception {
        if (bot != null) {
            try {
                assertThat(bot.endInput(WAIT)).isZero();
            } finally {
                bot.close();
            }
        }
    }

    @Test
    @Order(1)
    void reloadAddsARunbookWithoutARestart() throws Exception {
        bot.type("run added");
        bot.expect("unknown runbook \"added\"", WAIT);
        BotFiles.localRunbook(dir, "added", "added by a reload", "echo added runs");
        bot.type("reload");
        bot.expect("reloaded: runbooks +added", WAIT);
        bot.type("run added");
        List<String> run = bot.expect("added #1 [############] 1/1 steps · succeeded", WAIT);
        assertThat(run).anyMatch(l -> l.contains("#1| added runs"));
        bot.type("reload");
        bot.expect("reloaded: no changes", WAIT);
    }

    @Test
    @Order(2)
    void brokenFilesLeaveTheOldSetInPlaceAndEveryErrorIsListed() throws Exception {
        BotFiles.localRunbook(dir, "notyet", "valid, but loaded with two broken files", "echo notyet runs");
        Files.writeString(dir.resolve("runbooks/bad-yaml.yml"), "name: bad-yaml\nrole: [anyone\n");
        Files.writeString(dir.resolve("runbooks/bad-key.yml"), String.join("\n",
                "name: bad-key",
                "role: anyone",
                "stepz: []",
                "steps:",
                "  - name: one",
                "    local: { command: \"echo one\" }",
                ""));
        bot.type("reload");
        bot.expect("reload failed, nothing changed", WAIT);
        List<String> errors = bot.expect("bad-yaml.yml:", WAIT);
        assertThat(String.join("\n", errors)).containsPattern("bad-key\\.yml:3: stepz: ");
        assertThat(errors.get(errors.size() - 1)).containsPattern("bad-yaml\\.yml:\\d+: ");

        bot.type("run notyet");
        bot.expect("unknown runbook \"notyet\"", WAIT);
        bot.type("run added");
        bot.expect("added #2 [############] 1/1 steps · succeeded", WAIT);

        Files.delete(dir.resolve("runbooks/bad-yaml.yml"));
        Files.delete(dir.resolve("runbooks/bad-key.yml"));
        Files.writeString(dir.resolve("runbooks/taken.yml"), String.join("\n",
                "name: taken",
                "alias: whoami",
                "role: anyone",
                "steps:",
                "  - name: one",
                "    local: { command: \"echo taken\" }",
                ""));
        bot.type("reload");
        bot.expect("reload failed, nothing changed (1 error):", WAIT);
        bot.expect("taken.yml:2: alias: \"whoami\" is already a command of the bot", WAIT);
        bot.type("whoami");
        bot.expect("you are console:local", WAIT);

        Files.delete(dir.resolve("runbooks/taken.yml"));
        bot.type("reload");
        bot.expect("reloaded: runbooks +notyet", WAIT);
    }

    @Test
    @Order(3)
    void aRunningOperationFinishesWithItsOldStepsAcrossAReload() throws Exception {
        Path go = dir.resolve("go");
        slowRunbook("old", go);
        bot.type("reload");
        bot.expect("reloaded: runbooks +slow", WAIT);
        bot.type("run slow");
        bot.expect("slow #3 started", WAIT);
        bot.expect("#3| old first step", WAIT);

        slowRunbook("new", go);
        bot.type("reload");
        bot.expect("reloaded: runbooks ~slow", WAIT);
        Files.writeString(go, "");
        List<String> finished = bot.expect("slow #3 [############] 2/2 steps · succeeded", WAIT);
        assertThat(finished).anyMatch(l -> l.contains("#3| old second step"))
                .noneMatch(l -> l.contains("new second step"));

        bot.type("run slow");
        bot.expect("#4| new first step", WAIT);
        bot.expect("slow #4 [############] 2/2 steps · succeeded", WAIT);
    }

    @Test
    @Order(4)
    void aPendingOperationOfARemovedRunbookIsStillApprovedAndCancelledWithItsFrozenPlan() throws Exception {
        Files.writeString(dir.resolve("runbooks/gated.yml"), String.join("\n",
                "name: gated",
                "role: anyone",
                "approval: { role: releng, required: 1, self_approve: true }",
                "steps:",
                "  - name: frozen",
                "    local: { command: \"echo the frozen plan ran\" }",
                ""));
        bot.type("reload");
        bot.expect("reloaded: runbooks +gated", WAIT);
        bot.type("run gated");
        bot.expect("approve with \"!approve 5\"", WAIT);
        bot.type("run gated");
        bot.expect("approve with \"!approve 6\"", WAIT);

        Files.delete(dir.resolve("runbooks/gated.yml"));
        bot.type("reload");
        bot.expect("reloaded: runbooks -gated", WAIT);
        bot.type("ops");
        bot.expect("gated #6 by local · pending approval", WAIT);
        bot.type("approve 5");
        bot.expect("gated #5 approved by local; running", WAIT);
        List<String> ran = bot.expect("gated #5 [############] 1/1 steps · succeeded", WAIT);
        assertThat(ran).anyMatch(l -> l.contains("#5| the frozen plan ran"));
        bot.type("cancel 6");
        bot.expect("gated #6", WAIT);
        bot.type("op 6");
        bot.expect("gated #6 by local · cancelled", WAIT);
    }

    @Test
    @Order(5)
    void sighupReloadsAndTellsTheConsoleAndReloadedRunbooksKeepTheirAliasesAndRooms() throws Exception {
        Files.writeString(dir.resolve("runbooks/hup.yml"), String.join("\n",
                "name: hup",
                "alias: hi",
                "role: anyone",
                "steps:",
                "  - name: hup",
                "    local: { command: \"echo hup runs\" }",
                ""));
        Files.writeString(dir.resolve("runbooks/elsewhere.yml"), String.join("\n",
                "name: elsewhere",
                "role: anyone",
                "rooms: [\"console:elsewhere\"]",
                "steps:",
                "  - name: one",
                "    local: { command: \"echo never here\" }",
                ""));
        bot.hangup();
        bot.expect("SIGHUP: reloaded: runbooks +elsewhere +hup", WAIT);
        bot.type("hi");
        bot.expect("hup #7 [############] 1/1 steps · succeeded", WAIT);
        bot.type("run elsewhere");
        bot.expect("not here: elsewhere starts only in console:elsewhere (this is console:console)", WAIT);
        BotProcess.awaitCondition("the reload in the log", WAIT,
                () -> log().contains("SIGHUP: reloaded: runbooks +elsewhere +hup"));
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("buildduty.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Writes runbook {@code slow}: a first step, then a second one waiting (at most 15 s) for {@code go}. */
    private void slowRunbook(String version, Path go) throws IOException {
        Files.writeString(dir.resolve("runbooks/slow.yml"), String.join("\n",
                "name: slow",
                "role: anyone",
                "steps:",
                "  - name: first",
                "    local: { command: \"echo " + version + " first step\" }",
                "  - name: second",
                "    local: { command: \"i=0; while [ ! -e '" + go + "' ] && [ $i -lt 150 ]; do sleep 0.1;"
                        + " i=$((i+1)); done; echo " + version + " second step\" }",
                ""));
    }
}
