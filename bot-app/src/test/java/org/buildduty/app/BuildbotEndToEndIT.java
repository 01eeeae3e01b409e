package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.testing.BuildbotMaster;
import org.buildduty.commands.testing.GitForge;

/**
 * The real jar with {@code services.buildbot} pointing at a real Buildbot 3.7 master and worker, driven through the
 * console: a branch build is forced, followed and reported with its URL and result; the password never shows;
 * hostile values are refused; {@code builds running} answers.
 */
class BuildbotEndToEndIT {
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
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                services:
                  buildbot:
                    url: %s
                    user: %s
                    password_env: BUILDBOT_PASSWORD
                    repositories: { quick: "%s", failing: "%s", slow: "%s" }
                """.formatted(master.url(), master.user(), forge.url(), forge.url(), forge.url()));
    }

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void forceFollowsABuildToItsResultAndBuildsRunningAnswers() throws Exception {
        try (BotProcess bot = startBot()) {
            bot.type("builds running");
            bot.expect("Buildbot: nothing running, nothing queued", WAIT);
            bot.type("force quick --pr 12abc");
            bot.expect("--pr must be a pull request number (a positive integer), not \"12abc\"", WAIT);
            bot.type("force quick --branch main");
            bot.expect("force #1 started", WAIT);
            List<String> run = bot.expect("force #1 [############] 1/1 steps · succeeded", WAIT);
            assertThat(String.join("\n", run))
                    .containsPattern("build quick#\\d+ started on w1: http://127\\.0\\.0\\.1:")
                    .containsPattern("build quick#\\d+ SUCCESS in \\d+s: http://");
            bot.type("force failing --branch main");
            List<String> failed = bot.expect("force #2 failed", WAIT);
            assertThat(String.join("\n", failed)).contains("FAILURE after");
            bot.type("force nosuch --branch main");
            bot.expect("no builder \"nosuch\" on Buildbot (builders: echo-rev, failing, quick, slow)", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(String.join("\n", bot.stdout()) + String.join("\n", bot.stderr()))
                    .doesNotContain(master.password());
        }
        assertThat(Files.readString(dir.resolve("buildduty.log"))).doesNotContain(master.password());
    }

    /**
     * A clean master stop with a step running cancels the build (Buildbot 3.7 merges its RETRY with the interrupted
     * step's CANCELLED, so the request ends; a build stopped before its first step is retried instead, see
     * BuildbotExecutorTest): the bot rides out the outage with one line each way and reports Buildbot's verdict,
     * saying the master was away meanwhile, once, without forcing again.
     */
    @Test
    void aMasterRestartDuringAForcedBuildIsRiddenOutAndReportedOnceWithoutASecondForce() throws Exception {
        try (BotProcess bot = startBot()) {
            bot.type("force slow --branch main");
            bot.expect("build slow#1 started on w1", WAIT);
            awaitRunningStep();
            master.stopMaster();
            try {
                bot.expect("is not reachable: connection refused; still following build request 1", WAIT);
                bot.type("builds running");
                bot.expect("Buildbot at " + master.url(), WAIT);
                bot.type("whoami");
                bot.expect("you are ", WAIT);
            } finally {
                master.startMaster();
            }
            List<String> after = bot.expect("force #1 failed at step", WAIT);
            String all = String.join("\n", bot.stdout());
            assertThat(String.join("\n", after)).contains("Buildbot answers again after ")
                    .containsPattern("build slow#1 CANCELLED in \\d+s \\(Buildbot was unreachable meanwhile\\): "
                            + "http://");
            assertThat(all.split("still following build request", -1)).as("one outage line").hasSize(2);
            assertThat(all.split("answers again", -1)).as("one recovery line").hasSize(2);
            assertThat(all.split("forced slow on force", -1)).as("forced once").hasSize(2);
            bot.type("op 1");
            bot.expect("force #1 by local · failed", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(String.join("\n", bot.stdout())).doesNotContain("force #2");
        }
    }

    /** Waits until the forced build of {@code slow} (build 1) is inside its {@code sleep} step, not just created. */
    /** The jar with {@code dir/buildduty.yml}, given the master's password. */
    private BotProcess startBot() throws IOException {
        return BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("BUILDBOT_PASSWORD", master.password()));
    }

    private void awaitRunningStep() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest steps = HttpRequest.newBuilder(
                master.url().resolve("api/v2/builds/1/steps")).build();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String body = http.send(steps, HttpResponse.BodyHandlers.ofString()).body();
            for (com.fasterxml.jackson.databind.JsonNode step : json.readTree(body).path("steps")) {
                if (step.path("name").asText().equals("sleep") && !step.path("started_at").isNull()
                        && !step.path("complete").asBoolean()) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("the slow build reaches its sleep step: %s", body).isLessThan(end);
            Thread.sleep(100);
        }
    }
}
