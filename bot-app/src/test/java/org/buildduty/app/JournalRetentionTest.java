package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.config.BotSettings;
import org.buildduty.app.store.SqliteJournal;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.JournalContract;

/** bot.retention as a service: it prunes at start and then daily on the engine's clock, never sooner. */
class JournalRetentionTest {
    private static final Instant T0 = Instant.parse("2026-09-01T06:00:00Z");

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker(T0);
    private SqliteJournal journal;

    @AfterEach
    void close() {
        journal.close();
    }

    private OperationId ended(Instant at) {
        OperationId id = journal.nextOperationId();
        journal.operationCreated(JournalContract.op(id, OperationState.RUNNING));
        journal.output(id, 0, "bm01", OutputChannel.STDOUT, "line", at);
        journal.operationState(id, OperationState.SUCCEEDED, at, "");
        return id;
    }

    @Test
    void prunesAtStartThenOnceADayAsTheInjectedClockSays() {
        journal = SqliteJournal.open(dir.resolve("buildduty.db"), ticker);
        OperationId old = ended(T0.minus(Duration.ofDays(100)));
        OperationId recent = ended(T0.minus(Duration.ofDays(90)).plusSeconds(3600));
        JournalRetention retention = new JournalRetention(journal, new BotSettings.Retention(Duration.ofDays(90), 0),
                Runnable::run);

        retention.start(ticker);
        assertThat(journal.output(old, 0, 10)).as("pruned at start").isEmpty();
        assertThat(journal.outputPruned(old)).hasValue(T0 + " retention 90d");
        assertThat(journal.output(recent, 0, 10)).hasSize(1);

        ticker.advance(Duration.ofHours(2));   // recent is now older than keep
        retention.tick();
        assertThat(journal.output(recent, 0, 10)).as("less than a day after the last pruning").hasSize(1);

        ticker.advance(Duration.ofHours(22));
        retention.tick();
        assertThat(journal.output(recent, 0, 10)).as("a day after the last pruning").isEmpty();
        retention.close();
    }
}
