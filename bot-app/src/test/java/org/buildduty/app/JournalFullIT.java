package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's disk fills up under the real jar (a file-size limit on the bot's process, so SQLite's writes fail
 * with EFBIG as on a full disk): commands that need the journal are refused with one line, nothing runs
 * unjournaled, the bot keeps answering, and after a restart with room again the journal is whole.
 */
class JournalFullIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aFullJournalRefusesCommandsAndRunsNothing() throws Exception {
        BotFiles.localRunbook(dir, "flood", "1.2 MB of output",
                "yes $(printf 'filler%.0s' $(seq 1 80)) | head -n 3000; echo flood done");
        Path marker = dir.resolve("MARKER");
        BotFiles.localRunbook(dir, "touch", "leaves a marker", "touch " + marker);
        BotFiles.consoleConfig(dir, "off", "");
        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("whoami");
            bot.expect("you are console:local", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }

        try (BotProcess bot = BotProcess.startWithFileSizeLimit(dir, "buildduty.yml", 512)) {
            bot.type("run flood");
            bot.expect("flood #1", WAIT);
            bot.expectErr("journal write failed (output) for flood #1", WAIT);
            bot.type("run touch");
            List<String> refused = bot.expect("refused: the journal cannot record it", WAIT);
            assertThat(refused.get(refused.size() - 1)).contains("data/bot.db").contains("nothing was run");
            bot.type("whoami");
            bot.expect("you are console:local", WAIT);
            bot.type("run touch");
            bot.expect("refused: the journal cannot record it", WAIT);
            assertThat(marker).doesNotExist();
            bot.endInput(WAIT);
        }

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("run touch");
            bot.expect("touch #2 [############] 1/1 steps · succeeded", WAIT);
            assertThat(marker).exists();
            bot.type("op 1");
            bot.expect("flood #1", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(bot.stdout()).anyMatch(l -> l.startsWith("flood #1 interrupted"));
        }
    }
}
