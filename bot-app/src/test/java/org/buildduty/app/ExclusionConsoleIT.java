package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real jar on the console: two runs of an exclusive runbook never overlap (the timestamps its steps write
 * prove it), the second starts by itself when the first ends, a runbook that refuses to queue names the holder, and
 * a queued operation is still queued after kill -9 and starts once the interrupted holder is reported.
 */
class ExclusionConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private void runbook(String name, String extra, String command) throws Exception {
        Files.writeString(dir.resolve("runbooks/" + name + ".yml"), String.join("\n",
                "name: " + name,
                "role: anyone",
                "description: " + name,
                extra,
                "steps:",
                "  - name: work",
                "    local: { command: \"" + command + "\" }",
                ""));
    }

    @Test
    void twoRunsOfAnExclusiveRunbookNeverOverlapAndARefusingOneNamesTheHolder() throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Files.createDirectories(dir.resolve("runbooks"));
        Path log = work.resolve("log");
        String stamp = "echo $1 $(date +%s%N) >> " + log;
        // each run writes start, waits for the go file, writes end
        runbook("slow", "", "n=$(ls " + work + " | grep -c started); touch " + work + "/started-$n; "
                + stamp.replace("$1", "start") + "; while [ ! -e " + work + "/go ]; do sleep 0.05; done; "
                + stamp.replace("$1", "end"));
        runbook("holder", "locks: [shared]\nexclusive: none", "while [ ! -e " + work + "/go-holder ]; do sleep 0.05;"
                + " done");
        runbook("refusing", "locks: [shared]\non_conflict: refuse", "true");
        runbook("after", "locks: [shared]", "touch " + work + "/after-ran");
        BotFiles.consoleConfig(dir, "off", "");

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("run slow");
            bot.expect("slow #1 started", WAIT);
            BotProcess.awaitCondition("the first run started", WAIT, () -> Files.exists(work.resolve("started-0")));
            bot.type("run slow");
            bot.expect("slow #2 queued behind #1 (slow by local, running", WAIT);
            bot.type("ops");
            bot.expect("slow #2 by local · queued (", WAIT);
            Thread.sleep(300);
            assertThat(Files.readAllLines(log)).hasSize(1);

            bot.type("run holder");
            bot.expect("holder #3 started", WAIT);
            bot.type("run refusing");
            bot.expect("refused: refusing does not queue (on_conflict: refuse) and #3 (holder by local, "
                    + "running", WAIT);
            bot.type("run after");
            bot.expect("after #4 queued behind #3 (holder by local, running", WAIT);

            Files.createFile(work.resolve("go"));
            bot.expect("slow #2 starting (queued", WAIT);
            bot.expect("slow #2 [############] 1/1 steps · succeeded", WAIT);
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).startsWith("start ");
            assertThat(lines.get(1)).startsWith("end ");
            assertThat(lines.get(2)).startsWith("start ");
            assertThat(lines.get(3)).startsWith("end ");
            long firstEnd = Long.parseLong(lines.get(1).split(" ")[1]);
            long secondStart = Long.parseLong(lines.get(2).split(" ")[1]);
            assertThat(secondStart).as("the second run starts after the first ended").isGreaterThan(firstEnd);
            bot.type("ops");
            bot.expect("after #4 by local · queued (", WAIT);
            bot.kill();
        }
        assertThat(work.resolve("after-ran")).doesNotExist();

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.expect("holder #3 interrupted: the bot restarted while it was running", WAIT);
            bot.expect("after #4 starting (queued", WAIT);
            bot.expect("after #4 [############] 1/1 steps · succeeded", WAIT);
            assertThat(work.resolve("after-ran")).exists();
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }
}
