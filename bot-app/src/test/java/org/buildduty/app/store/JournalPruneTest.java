package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.JournalContract;

/** bot.retention in the SQLite journal: what is pruned, what never is, and that the file gives the space back. */
class JournalPruneTest {
    private static final Instant T0 = Instant.parse("2026-09-01T06:00:00Z");
    private static final String LINE = "x".repeat(100);

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker(T0);
    private SqliteJournal journal;

    @AfterEach
    void close() {
        if (journal != null) {
            journal.close();
        }
    }

    private SqliteJournal open() {
        journal = SqliteJournal.open(dir.resolve("buildduty.db"), ticker);
        return journal;
    }

    private OperationId op(OperationState state, Instant endedAt, int lines) {
        OperationId id = journal.nextOperationId();
        journal.operationCreated(JournalContract.op(id, OperationState.QUEUED));
        journal.hostStarted(id, 0, "s", "bm01", false, T0);
        for (int i = 0; i < lines; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, LINE + i, T0);
        }
        journal.flush();
        if (state != OperationState.QUEUED) {
            journal.operationState(id, state, endedAt, "");
        }
        return id;
    }

    @Test
    void prunesOldEndedOperationsAndTheirOutputKeepingTheNewestMinOperationsAndEveryLiveOne() {
        open();
        OperationId old1 = op(OperationState.SUCCEEDED, T0, 10);
        OperationId old2 = op(OperationState.FAILED, T0, 10);
        OperationId running = op(OperationState.RUNNING, T0, 10);
        OperationId waiting = op(OperationState.WAITING, T0, 10);
        OperationId queued = op(OperationState.QUEUED, T0, 10);
        OperationId pending = op(OperationState.PENDING_APPROVAL, T0, 10);
        OperationId old3 = op(OperationState.CANCELLED, T0, 10);
        OperationId young = op(OperationState.SUCCEEDED, T0.plus(Duration.ofDays(80)), 10);
        ticker.advance(Duration.ofDays(91));

        SqliteJournal.Pruned p = journal.prune(ticker.now().minus(Duration.ofDays(90)), 2, "retention 90d");

        // the newest two ended operations are young and old3: old1 and old2 go
        assertThat(p.operations()).isEqualTo(2);
        assertThat(p.lines()).isEqualTo(20);
        assertThat(journal.output(old1, 0, 100)).isEmpty();
        assertThat(journal.output(old2, 0, 100)).isEmpty();
        assertThat(journal.outputPruned(old1)).hasValue(ticker.now() + " retention 90d");
        assertThat(journal.operation(old1)).as("an ended operation older than keep goes with its output").isEmpty();
        assertThat(journal.operation(old2)).isEmpty();
        assertThat(journal.hostRuns(old1)).isEmpty();
        assertThat(journal.operation(old3)).isPresent();
        assertThat(journal.output(old3, 0, 100)).hasSize(10);
        assertThat(journal.outputPruned(old3)).isEmpty();
        assertThat(journal.output(young, 0, 100)).hasSize(10);
        for (OperationId live : new OperationId[] {running, waiting, queued, pending}) {
            assertThat(journal.output(live, 0, 100)).as("live %s", live).hasSize(10);
            assertThat(journal.outputPruned(live)).isEmpty();
            assertThat(journal.operation(live)).as("live %s", live).isPresent();
        }

        assertThat(journal.prune(ticker.now().minus(Duration.ofDays(90)), 0, "retention 90d").operations())
                .as("with min_operations 0 the old one kept before goes too").isEqualTo(1);
        assertThat(journal.output(old3, 0, 100)).isEmpty();
        assertThat(journal.output(young, 0, 100)).hasSize(10);
    }

    @Test
    void theFileShrinksAfterPruning() {
        open();
        for (int i = 0; i < 3; i++) {
            op(OperationState.SUCCEEDED, T0, 10_000);
        }
        long pagesBefore = journal.pageCount();
        journal.prune(T0.plus(Duration.ofDays(1)), 0, "retention 90d");
        long pagesAfter = journal.pageCount();
        assertThat(pagesAfter).isLessThan(pagesBefore / 4);
        assertThat(journal.sizeBytes()).isLessThan(pagesBefore * 4096 / 4);
    }

    @Test
    void aJournalWrittenWithoutAutoVacuumIsSwitchedToIncrementalOnOpen() throws Exception {
        open();
        op(OperationState.SUCCEEDED, T0, 100);
        journal.close();
        journal = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("buildduty.db"));
                Statement st = c.createStatement()) {
            st.execute("PRAGMA auto_vacuum = NONE");
            st.execute("VACUUM");
            assertThat(autoVacuum(st)).isZero();
        }
        open();
        journal.close();
        journal = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("buildduty.db"));
                Statement st = c.createStatement()) {
            assertThat(autoVacuum(st)).isEqualTo(2);
        }
    }

    private static long autoVacuum(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("PRAGMA auto_vacuum")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
