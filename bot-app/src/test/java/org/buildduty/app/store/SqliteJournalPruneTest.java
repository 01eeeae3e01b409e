package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.operation.OperationState;
import org.buildduty.core.time.Ticker;

/** The {@link JournalPruneContract} in SQLite, and that the file gives the space back. */
class SqliteJournalPruneTest extends JournalPruneContract {
    @TempDir
    Path dir;

    @Override
    protected BotJournal open(Ticker clock) {
        return SqliteJournal.open(dir.resolve("buildduty.db"), clock);
    }

    @Test
    void theFileShrinksAfterPruning() {
        SqliteJournal sqlite = (SqliteJournal) journal;
        for (int i = 0; i < 3; i++) {
            op(OperationState.SUCCEEDED, T0, 10_000);
        }
        long pagesBefore = sqlite.pageCount();
        journal.prune(T0.plus(Duration.ofDays(1)), 0, "retention 90d");
        long pagesAfter = sqlite.pageCount();
        assertThat(pagesAfter).isLessThan(pagesBefore / 4);
        assertThat(journal.sizeBytes()).isLessThan(pagesBefore * 4096 / 4);
    }

    @Test
    void aJournalWrittenWithoutAutoVacuumIsSwitchedToIncrementalOnOpen() throws Exception {
        op(OperationState.SUCCEEDED, T0, 100);
        journal.close();
        journal = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("buildduty.db"));
                Statement st = c.createStatement()) {
            st.execute("PRAGMA auto_vacuum = NONE");
            st.execute("VACUUM");
            assertThat(autoVacuum(st)).isZero();
        }
        journal = open(ticker);
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
