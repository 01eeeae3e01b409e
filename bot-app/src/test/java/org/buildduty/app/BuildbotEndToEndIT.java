package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.testing.BuildbotMaster;
import org.buildduty.core.testing.GitForge;

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
                    repositories: { quick: "%s", failing: "%s" }
                """.formatted(master.url(), master.user(), forge.url(), forge.url()));
    }

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void forceFollowsABuildToItsResultAndBuildsRunningAnswers() throws Exception {
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("BUILDBOT_PASSWORD", master.password()))) {
            bot.type("builds running");
            bot.expect("Buildbot: nothing running, nothing queued", WAIT);
            bot.type("force quick --pr 12abc");
            bot.expect("--pr must be a pull request number (a positive integer), not \"12abc\"", WAIT);
            bot.type("force quick --branch main");
            bot.expect("force #1 started", WAIT);
            List<String> run = bot.expect("force #1 [############] 1/1 steps · succeeded", WAIT);
            assertThat(String.join("\n", run)).containsPattern("build quick#\\d+ started on w1: http://127\\.0\\.0\\.1:")
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
}
