package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real jar on the console: a runbook with a one-minute cron runs by itself within about a minute, as
 * {@code schedule:tick} (which holds the runbook's role under {@code roles:}), and {@code schedules} lists it and
 * pauses it.
 */
class ScheduleConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aOneMinuteScheduleFiresOnTheConsoleWithinAMinute() throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/tick.yml"), String.join("\n",
                "name: tick",
                "role: releng",
                "description: runs every minute",
                "params:",
                "  word: { type: string }",
                "schedule: { cron: \"* * * * *\", params: { word: hello }, notify: \"console:console\" }",
                "steps:",
                "  - name: say",
                "    local: { command: \"touch " + work + "/ran-{{word}}\" }",
                ""));
        BotFiles.consoleConfig(dir, "off", """
                roles:
                  releng: ["schedule:tick"]
                """);
        String config = Files.readString(dir.resolve("buildduty.yml"));
        Files.writeString(dir.resolve("buildduty.yml"), config.replace("web: \"off\" }",
                "web: \"off\", retention: { keep: 30d, min_operations: 10 } }"));

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("schedules");
            bot.expect("tick: \"* * * * *\" UTC, next ", WAIT);
            bot.expect("scheduled tick: tick #1 started", Duration.ofSeconds(75));
            bot.expect("tick #1 [############] 1/1 steps · succeeded", WAIT);
            assertThat(work.resolve("ran-hello")).exists();
            bot.type("schedules pause tick");
            bot.expect("schedule tick paused; !schedules resume tick resumes it", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }
}
