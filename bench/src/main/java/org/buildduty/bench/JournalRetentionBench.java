package org.buildduty.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.buildduty.app.store.BotJournal;
import org.buildduty.app.store.SqliteJournal;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.JournalContract;

/**
 * What an output line costs in the SQLite journal, and what pruning gives back: writes N output lines (default
 * 1,000,000; {@code --quick} 100,000) of about 80 characters over {@code --ops} ended operations through
 * {@link SqliteJournal#output}, as the runner does, then prunes them all ({@code bot.retention} with
 * {@code min_operations: 0}) and prints the file size before and after. Needs bot-app/target/buildduty.jar on the
 * class path after the bench jar (bench/run puts it there).
 */
public final class JournalRetentionBench {
    private static final Instant T0 = Instant.parse("2026-01-05T06:00:00Z");

    private JournalRetentionBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args, Set.of("quick"), "--lines N, --ops N, --quick");
        boolean quick = opts.containsKey("quick");
        int lines = Integer.parseInt(opts.getOrDefault("lines", quick ? "100000" : "1000000"));
        int ops = Integer.parseInt(opts.getOrDefault("ops", "100"));
        Path dir = Files.createTempDirectory("journal-bench");
        Instant[] now = {T0};
        try (BotJournal journal = SqliteJournal.open(dir.resolve("buildduty.db"), () -> now[0])) {
            long empty = journal.sizeBytes();
            long t0 = System.nanoTime();
            int perOp = lines / ops;
            int written = 0;
            for (int o = 0; o < ops; o++) {
                OperationId id = journal.nextOperationId();
                journal.operationCreated(JournalContract.op(id, OperationState.QUEUED));
                journal.operationState(id, OperationState.RUNNING, now[0], "");
                int n = o == ops - 1 ? lines - written : perOp;
                for (int i = 0; i < n; i++) {
                    journal.output(id, 0, "bm" + (i % 50), OutputChannel.STDOUT, String.format(Locale.ROOT,
                            "[%07d] building module %s/%04d: compiling src/main.c -O2 ... ok", written + i,
                            "kernel", i % 9973), now[0]);
                }
                written += n;
                journal.flush();
                journal.operationState(id, OperationState.SUCCEEDED, now[0], "");
            }
            double writeSecs = (System.nanoTime() - t0) / 1e9;
            long before = journal.sizeBytes();
            double perLine = (before - empty) / (double) lines;
            System.out.printf(Locale.ROOT, "wrote %,d output lines over %d operations in %.1f s (%,.0f lines/s)%n",
                    lines, ops, writeSecs, lines / writeSecs);
            System.out.printf(Locale.ROOT, "journal: %,d bytes empty, %,d bytes with the lines: %.1f bytes per"
                    + " output line (line text about 80 characters)%n", empty, before, perLine);

            now[0] = T0.plus(Duration.ofDays(91));
            long p0 = System.nanoTime();
            BotJournal.Pruned p = journal.prune(now[0].minus(Duration.ofDays(90)), 0, "retention 90d");
            double pruneSecs = (System.nanoTime() - p0) / 1e9;
            System.out.printf(Locale.ROOT, "pruned %,d lines of %d operations in %.1f s: %,d -> %,d bytes%n",
                    p.lines(), p.operations(), pruneSecs, p.bytesBefore(), p.bytesAfter());

            String label = String.format(Locale.ROOT, "%,d output lines", lines);
            BenchArgs.result("journal: bytes per output line (about 80 characters of text)", "reported",
                    String.format(Locale.ROOT, "%.1f B (%s written in %.1f s)", perLine, label, writeSecs));
            BenchArgs.result("journal: file size before / after pruning " + label, "after ≈ empty journal",
                    String.format(Locale.ROOT, "%.1f MiB / %.2f MiB (empty: %.2f MiB; prune took %.1f s)",
                            before / 1048576.0, p.bytesAfter() / 1048576.0, empty / 1048576.0, pruneSecs));
        } finally {
            BenchArgs.deleteTree(dir);
        }
    }
}
