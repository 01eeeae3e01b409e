package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.JournalContract;

/** A pruning is many short transactions, never one long one that would hold the journal's lock throughout. */
class JournalPruningTest {
    private static final Instant T0 = Instant.parse("2026-09-01T06:00:00Z");

    @TempDir
    Path dir;

    @Test
    void eachTransactionDeletesOneBatchOfOperationsAtMost() throws Exception {
        Path file = dir.resolve("buildduty.db");
        int total = 2 * JournalPruning.BATCH + 30;
        try (SqliteJournal journal = SqliteJournal.open(file, new FakeTicker(T0))) {
            for (int i = 0; i < total; i++) {
                OperationId id = journal.nextOperationId();
                journal.operationCreated(JournalContract.op(id, OperationState.QUEUED));
                journal.operationState(id, OperationState.SUCCEEDED, T0, "");
            }
        }
        List<Long> deletedPerTransaction = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            JournalPruning.Transactions counting = new JournalPruning.Transactions() {
                @Override
                public <T> T write(String doing, JournalDb.Work<T> work) {
                    try {
                        long before = operations(c);
                        c.setAutoCommit(false);
                        T result = work.run(c);
                        c.commit();
                        c.setAutoCommit(true);
                        deletedPerTransaction.add(before - operations(c));
                        return result;
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            JournalPruning.Deleted d = JournalPruning.prune(counting, "ended_at", T0.plus(Duration.ofDays(1)), 5,
                    T0.plus(Duration.ofDays(91)), "retention 90d");
            assertThat(d.operations()).isEqualTo(total - 5);
            assertThat(operations(c)).isEqualTo(5);
        }
        assertThat(deletedPerTransaction).containsExactly((long) JournalPruning.BATCH, (long) JournalPruning.BATCH,
                (long) total - 5 - 2 * JournalPruning.BATCH);
    }

    private static long operations(Connection c) throws SQLException {
        return JournalDb.queryLong(c, "SELECT count(*) FROM operations");
    }
}
