package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runbook's {@code confirm} step through the real jar on the console: the operation pauses with nothing running
 * and the room is told how to go on; a kill -9 and then a graceful stop while it waits leave it waiting with the same
 * expiry; {@code approve} runs the next step and step 1 never runs twice; {@code deny} fails it there and rolls back.
 * {@code ops} and the web page show the wait. The console is one identity holding every role, so the step allows
 * self-approval.
 */
class ConfirmStepIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern EXPIRES = Pattern.compile("expires (\\d\\d:\\d\\dZ)");

    @TempDir
    Path dir;

    @Test
    void aConfirmStepSurvivesKillAndStopAndGoesOnWhenApproved() throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/canary.yml"), String.join("\n",
                "name: canary",
                "role: anyone",
                "description: stage, wait for a look at the canary, finish",
                "steps:",
                "  - name: stage",
                "    local: { command: \"echo staged >> " + work + "/stage.log\" }",
                "    rollback:",
                "      local: { command: \"echo unstaged >> " + work + "/unstage.log\" }",
                "  - name: canary ok?",
                "    confirm: { message: \"check the canary dashboards\", role: releng, required: 1, "
                        + "self_approve: true, timeout: 30m }",
                "  - name: finish",
                "    local: { command: \"echo finished >> " + work + "/finish.log\" }",
                ""));
        BotFiles.consoleConfig(dir, "127.0.0.1:0", "");

        String expires;
        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("run canary");
            List<String> lines = bot.expect("canary #1 waits at step 2 \"canary ok?\"", WAIT);
            String waits = lines.get(lines.size() - 1);
            Matcher m = EXPIRES.matcher(waits);
            assertThat(m.find()).as(waits).isTrue();
            expires = m.group(1);
            assertThat(waits).endsWith("canary #1 waits at step 2 \"canary ok?\": check the canary dashboards — "
                    + "continue with !approve 1 (1 of role releng; expires " + expires + "), stop with !deny 1");
            BotProcess.awaitCondition("the wait journaled", WAIT, () -> "WAITING".equals(state(1)));
            assertThat(Files.readAllLines(work.resolve("stage.log"))).containsExactly("staged");
            assertThat(work.resolve("finish.log")).doesNotExist();
            bot.kill();
        }

        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("ops");
            bot.expect("canary #1 by local · waiting at step 2 \"canary ok?\" (0 of 1 of role releng; expires "
                    + expires + ")", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
        assertThat(state(1)).as("a graceful stop leaves it waiting").isEqualTo("WAITING");

        long logLines = Files.readAllLines(dir.resolve("buildduty.log")).size();
        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            bot.type("ops");
            bot.expect("canary #1 by local · waiting at step 2 \"canary ok?\" (0 of 1 of role releng; expires "
                    + expires + ")", WAIT);
            String base = webAddress(logLines);
            assertThat(get(base + "/ops/1")).contains("<span id=\"state\">waiting</span>")
                    .contains("waiting at step 2 &quot;canary ok?&quot; (0 of 1 of role releng; expires " + expires
                            + "): check the canary dashboards");
            assertThat(get(base + "/")).contains("<a href=\"/ops/1\">#1</a>").contains("waiting");
            bot.type("approve 1");
            bot.expect("canary #1 step 2 \"canary ok?\" confirmed by local; continuing", WAIT);
            bot.expect("· succeeded", WAIT);
            assertThat(Files.readAllLines(work.resolve("stage.log"))).as("step 1 ran once").containsExactly("staged");
            assertThat(Files.readAllLines(work.resolve("finish.log"))).containsExactly("finished");
            assertThat(state(1)).isEqualTo("SUCCEEDED");

            bot.type("run canary");
            bot.expect("canary #2 waits at step 2 \"canary ok?\"", WAIT);
            bot.type("deny 2 error rate is up");
            bot.expect("canary #2 denied by local: error rate is up at step 2 \"canary ok?\"; it fails there and its "
                    + "completed steps roll back", WAIT);
            bot.expect("canary #2 failed at step \"canary ok?\": denied by local: error rate is up · rolled back 1 "
                    + "step", WAIT);
            assertThat(Files.readAllLines(work.resolve("unstage.log"))).containsExactly("unstaged");
            assertThat(Files.readAllLines(work.resolve("finish.log"))).containsExactly("finished");
            bot.type("op 2");
            bot.expect("denied (step 2) by local", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    /** The address of the web page of the bot started after the log had {@code skip} lines. */
    private String webAddress(long skip) throws Exception {
        Pattern web = Pattern.compile("web page on (http://127\\.0\\.0\\.1:\\d+)/");
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            List<String> lines = Files.readAllLines(dir.resolve("buildduty.log"));
            for (String line : lines.subList((int) Math.min(skip, lines.size()), lines.size())) {
                Matcher m = web.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"web page on\" line after line " + skip);
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** The journaled state of operation {@code id}, read beside the live bot; null before it exists. */
    private String state(long id) {
        Path db = dir.resolve("data/bot.db");
        if (!Files.exists(db)) {
            return null;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 5000");
            ResultSet rs = st.executeQuery("SELECT state FROM operations WHERE id = " + id);
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return null;
            }
            throw new IllegalStateException(e);
        }
    }
}
