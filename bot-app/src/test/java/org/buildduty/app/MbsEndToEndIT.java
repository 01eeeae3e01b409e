package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.mbs.MbsClient;
import org.buildduty.commands.testing.FakeMbs;
import org.buildduty.core.time.Ticker;

/**
 * The real jar with {@code services.mbs} pointed at a fake MBS whose build moves on the wall clock: {@code mbs info},
 * then a watch that sees the build start, is killed, and on restart posts what changed meanwhile and the final
 * summary in the old {@code mbs-build watch} style; and a watch through an MBS outage (500s for several polls) that
 * reports it once, answers commands meanwhile, and reports every change once when MBS is back.
 */
class MbsEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "mbs-e2e-token-7f3a";
    private static final String OUTAGE = "MBS is not answering (MBS failed (500): The server encountered an internal "
            + "error and was unable to complete your request.); still watching";

    @TempDir
    Path dir;
    private FakeMbs mbs;

    @BeforeEach
    void setUp() throws IOException {
        mbs = FakeMbs.start(Ticker.system(), TOKEN);
        BotProcess.copyShippedConfig(dir);
        Path cfg = dir.resolve("config/buildduty.yml");
        Files.writeString(cfg, Files.readString(cfg) + "\nservices:\n  mbs: { url: \"" + mbs.url()
                + "\", token_env: MBS_TOKEN, poll: { building: 1s, idle: 1s, max_backoff: 2s } }\n");
    }

    @AfterEach
    void tearDown() {
        mbs.close();
    }

    private BotProcess start() throws IOException {
        return BotProcess.start(dir, List.of("--config", "config/buildduty.yml"), Map.of("MBS_TOKEN", TOKEN));
    }

    @Test
    void infoThenAWatchThatSurvivesACrashAndEndsWithTheSummary() throws Exception {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "psabata", "ed", "perl", "pth");
        try (BotProcess bot = start()) {
            bot.type("mbs info " + b.id());
            bot.expect("mbs #570 testmodule-master-20171005113458 by psabata: wait", WAIT);

            Instant now = Instant.now();
            b.at(now.plusSeconds(2), x -> x.state("build", null).component("ed", 0).component("perl", 0)
                    .component("pth", 0));
            bot.type("mbs watch " + b.id());
            bot.expect("mbs #570 testmodule-master by psabata: wait · 3 undefined", WAIT);
            bot.expect("[mbs 570] module state: wait → build", WAIT);
            bot.kill();
        }
        b.component("pth", 3).component("ed", 1).component("perl", 1).state("done", null);
        try (BotProcess bot = start()) {
            List<String> lines = bot.expect("Summary: ", WAIT);
            String all = String.join("\n", bot.stdout());
            assertThat(all).contains("while I was away: ")
                    .contains("pth FAILED: " + MbsClient.KOJI_TASKS + b.taskId("pth"));
            assertThat(lines.get(lines.size() - 1)).contains("Summary: 2 components in the COMPLETE state, 1 FAILED; "
                    + "psabata's build #570 of testmodule-master is in the \"done\" state");
            bot.type("mbs unwatch " + b.id());
            bot.expect("570", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(String.join("\n", bot.stdout())).doesNotContain(TOKEN);
        }
        assertThat(Files.readString(dir.resolve("buildduty.log"))).doesNotContain(TOKEN);
    }

    @Test
    void aWatchRidesOutAnMbsOutageReportingItOnceAndLosingNoChange() throws Exception {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "psabata", "ed", "perl", "pth");
        String pre = "[mbs " + b.id() + "] ";
        try (BotProcess bot = start()) {
            bot.type("mbs watch " + b.id());
            bot.expect("mbs #570 testmodule-master by psabata: wait · 3 undefined", WAIT);

            mbs.failNext(Integer.MAX_VALUE, 500);
            int before = mbs.requests();
            bot.expect(pre + OUTAGE, WAIT);
            bot.type("whoami");
            bot.expect("you are console:local", WAIT);
            // a streak of failed polls, each after a longer pause (1 s, then 2 s of backoff each)
            BotProcess.awaitCondition("3 failed polls", WAIT, () -> mbs.requests() - before >= 3);
            b.at(Instant.now(), x -> x.state("build", null).component("ed", 0).component("perl", 0)
                    .component("pth", 0));
            mbs.failNext(0, 500);
            bot.expect(pre + "MBS answers again", WAIT);
            bot.expect(pre + "module state: wait → build", WAIT);

            b.at(Instant.now(), x -> x.component("ed", 1));
            bot.expect(pre + "1 more COMPLETE: ed (1/3 built)", WAIT);
            b.at(Instant.now(), x -> x.component("pth", 3).component("perl", 1).state("done", null));
            bot.expect(pre + "Summary: ", WAIT);
            bot.type("mbs unwatch " + b.id());
            bot.expect("not watching mbs #570 here", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();

            List<String> out = bot.stdout();
            List<String> watch = out.stream().filter(l -> l.contains(pre)).map(l -> l.substring(l.indexOf(pre)
                    + pre.length())).toList();
            assertThat(watch).as("each line once, none lost, in order").containsExactly(
                    OUTAGE,
                    "MBS answers again",
                    "module state: wait → build",
                    "1 more COMPLETE: ed (1/3 built)",
                    "pth FAILED: " + MbsClient.KOJI_TASKS + b.taskId("pth") + " (Koji build failed)",
                    "1 more COMPLETE: perl (3/3 built)",
                    "Summary: 2 components in the COMPLETE state, 1 FAILED; psabata's build #570 of testmodule-master "
                            + "is in the \"done\" state (koji tag: \"module-testmodule-master-20171005113458-"
                            + "00000000\")");
            assertThat(out).filteredOn(l -> l.contains("you are console:local")).hasSize(1);
            assertThat(indexOf(out, "you are console:local")).as("whoami is answered during the outage")
                    .isGreaterThan(indexOf(out, OUTAGE)).isLessThan(indexOf(out, "MBS answers again"));
        }
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}
