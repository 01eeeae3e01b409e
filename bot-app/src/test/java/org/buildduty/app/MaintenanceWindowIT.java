package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.testing.BuildbotMaster;
import org.buildduty.commands.testing.GitForge;

/**
 * The real jar, through the console, with a real Buildbot master and worker: a maintenance window a minute ahead
 * runs a (harmless) runbook at its start. The reminder (20 s before) asks the runbook's approval, the console
 * approves it, a build of {@code slow} is running at the start, so the window says it waits for that build, and
 * runs the runbook only once the build has finished; the end of the window is announced with the runbook's result.
 */
class MaintenanceWindowIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private BuildbotMaster master;

    @BeforeEach
    void start() throws Exception {
        master = BuildbotMaster.start(dir.resolve("buildbot"));
        GitForge forge = GitForge.create(dir.resolve("forge"));
        forge.commitToBranch("main", "README", "release 1.2.3");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/harmless.yml"), """
                name: harmless
                role: releng
                approval: { role: releng, required: 1, self_approve: true, timeout: 5m }
                params:
                  note: { type: string, default: hello }
                steps:
                  - name: say
                    local: { command: "echo harmless {{note}} at $(date +%s)" }
                """);
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                services:
                  buildbot:
                    url: %s
                    user: %s
                    password_env: BUILDBOT_PASSWORD
                    repositories: { slow: "%s" }
                """.formatted(master.url(), master.user(), forge.url()));
    }

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void aRunningBuildDelaysTheApprovedUpdateUntilItFinishesAndTheEndSaysTheResult() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("BUILDBOT_PASSWORD", master.password()))) {
            bot.type("maintenance bad --at +1m --duration 10m --runbook harmless --param nosuch=1 --notify console");
            bot.expect("unknown parameter --nosuch", WAIT);
            bot.type("maintenance buildbot update --at +1m --duration 10m --remind 20s --runbook harmless "
                    + "--param note=window --when-idle --max-wait 3m --notify console");
            bot.expect("scheduled maintenance 1: buildbot update", WAIT);
            List<String> asked = bot.expect("— approve with", WAIT);
            Matcher id = Pattern.compile("maintenance-approval #(\\d+)").matcher(String.join("\n", asked));
            assertThat(id.find()).as("the approval request: %s", asked).isTrue();
            bot.type("approve " + id.group(1));
            bot.expect("approved by", WAIT);
            bot.type("force slow --branch main");
            bot.expect("build slow#1 started on w1", WAIT);
            List<String> waiting = bot.expect("waiting for 1 running build to finish before harmless", WAIT);
            assertThat(String.join("\n", waiting)).contains("Maintenance 1 starting now: buildbot update");
            assertThat(String.join("\n", bot.stdout())).doesNotContain("harmless window");
            List<String> ran = bot.expect("Maintenance 1 is over: buildbot update", WAIT);
            String all = String.join("\n", ran);
            assertThat(all).containsPattern("harmless: harmless #\\d+ succeeded");
            Matcher at = Pattern.compile("harmless window at (\\d+)").matcher(all);
            assertThat(at.find()).as("the runbook's output: %s", all).isTrue();
            JsonNode build = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    master.url().resolve("api/v2/builds/1")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("builds").path(0);
            assertThat(build.path("complete").asBoolean()).isTrue();
            assertThat(Long.parseLong(at.group(1))).as("the update ran after the build had finished")
                    .isGreaterThanOrEqualTo(build.path("complete_at").asLong());
            assertThat(bot.endInput(WAIT)).isZero();
            String out = String.join("\n", bot.stdout());
            assertThat(Pattern.compile("harmless #\\d+ started").matcher(out).results().count()).as("run once")
                    .isEqualTo(1);
            assertThat(out).contains("harmless window");
        }
    }
}
