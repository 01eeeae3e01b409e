package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.LineSink;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.testing.TestBot;

/**
 * A secret straddling the place where a line is cut (an executor's 8 KiB output line, a result's 300-character last
 * line and reason, the room's 300-character lines, the summary) shows no part of itself in chat or the journal.
 */
class RedactionAtCutsTest {
    private static final String SECRET = "tok-s3cr3t-value-0123456789";
    /** The first characters of the secret: none of them may be seen anywhere. */
    private static final String HEAD = "tok-s3";

    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    /** Writes these lines as a remote command's raw output through a {@link LineSink}, then fails with exit 1. */
    private static final class RawOutput implements StepExecutor {
        private final List<String> lines;

        RawOutput(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public String kind() {
            return "raw";
        }

        @Override
        public Map<String, String> validateArgs(Map<String, Object> args) {
            return Map.of();
        }

        @Override
        public StepResult execute(ExecRequest request, ExecContext context) {
            AtomicReference<String> last = new AtomicReference<>("");
            LineSink out = new LineSink(OutputChannel.STDOUT, context, last);
            for (String l : lines) {
                byte[] b = (l + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
            out.finish();
            return StepResult.failed(request.host(), 1, "exit 1 after " + last.get(), last.get());
        }
    }

    private static void commands(CommandRules r) {
        StepSpec step = new StepSpec("leak", "raw", Map.of(), List.of("bm01"), 1, null, null, OnHostFailure.STOP,
                null);
        r.register(CommandSpec.builder("leak").summary("prints long lines").handler(c -> Outcome.planned(
                new OperationPlan("leak", Map.of(), List.of(step), ApprovalPolicy.NONE, "hosts"))).build());
    }

    private List<String> run(List<String> lines) {
        bot = TestBot.builder().commands(RedactionAtCutsTest::commands).executor(new RawOutput(lines))
                .redactor(new Redactor(List.of(SECRET))).build();
        List<String> chat = new ArrayList<>(bot.send("alice", "!leak"));
        chat.addAll(bot.awaitLine("failed", Duration.ofSeconds(20)));
        chat.addAll(bot.settle());
        return chat;
    }

    private List<String> journaled() {
        OperationId id = bot.journal().recent(1, Long.MAX_VALUE).get(0).id();
        List<String> all = new ArrayList<>();
        bot.journal().output(id, 0, 100).stream().map(OutputLine::line).forEach(all::add);
        for (HostRunRecord r : bot.journal().hostRuns(id)) {
            all.add(r.result().reason());
            all.add(r.result().lastLine());
        }
        all.add(bot.journal().operation(id).orElseThrow().detail());
        return all;
    }

    @Test
    void aSecretCutAtThreeHundredCharactersShowsNoHeadInChatOrJournal() {
        for (int at = 280; at < 300; at += 7) {
            String line = "x".repeat(at) + SECRET + "y".repeat(60);

            List<String> chat = run(List.of(line));
            List<String> journal = journaled();
            bot.close();
            bot = null;

            assertThat(chat).as("chat, secret at %d", at).noneMatch(l -> l.contains(HEAD)).anyMatch(l -> l.contains(
                    "***"));
            assertThat(journal).as("journal, secret at %d", at).noneMatch(l -> l.contains(HEAD));
            assertThat(journal.get(0)).isEqualTo("x".repeat(at) + "***" + "y".repeat(60));
        }
    }

    @Test
    void aSecretAcrossTheEightKilobyteOutputCutShowsNoHead() {
        int at = LineSink.MAX_LINE_BYTES - 10;
        String line = "x".repeat(at) + SECRET + "y".repeat(100);

        List<String> chat = run(List.of(line));
        List<String> journal = journaled();

        assertThat(chat).noneMatch(l -> l.contains(HEAD));
        assertThat(journal).noneMatch(l -> l.contains(HEAD));
        assertThat(journal.get(0)).isEqualTo("x".repeat(at) + "***…");
    }
}
