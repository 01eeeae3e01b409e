package org.buildduty.app.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.buildduty.core.time.Ticker;

/**
 * The {@link JournalPruneContract} against a real PostgreSQL 15 ({@link PgServer}, one per class), each test on a
 * fresh database; skipped where PostgreSQL is not installed.
 */
class PostgresJournalPruneTest extends JournalPruneContract {
    private static PgServer server;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(PgServer.available(), "PostgreSQL 15 is not installed in " + PgServer.BIN);
        server = PgServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected BotJournal open(Ticker clock) {
        String db;
        try {
            db = server.createDatabase();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return PostgresJournal.open("postgresql://127.0.0.1:" + server.port() + "/" + db + "?user=postgres", null,
                clock);
    }
}
