package org.buildduty.app.store;

import java.time.Instant;
import java.util.Optional;

import org.buildduty.core.journal.Journal;
import org.buildduty.core.operation.OperationId;

/**
 * The {@link Journal} as the bot uses it, whatever it is stored in ({@link SqliteJournal}, {@link PostgresJournal}):
 * the engine's journal plus what {@code bot.retention}, the web page and {@code /metrics} need.
 */
public interface BotJournal extends Journal {

    /** What one {@link #prune} did: operations and output lines deleted, the journal's size before and after. */
    record Pruned(int operations, long lines, long bytesBefore, long bytesAfter) {
    }

    /**
     * Deletes the ended operations that ended before {@code cutoff}, with their output lines, host runs and
     * approvals, keeping the newest {@code keepNewest} ended operations whole and never touching a pending, queued,
     * waiting or running one. The journal remembers when each went ({@link #outputPruned}), so the web page can say
     * so instead of a bare "no operation"; ids are never reused. Operations go a hundred at a time, one
     * transaction each, so the engine's writes never wait for more than one batch.
     *
     * @param note what the web page adds after the date, e.g. {@code retention 90d}
     */
    Pruned prune(Instant cutoff, int keepNewest, String note);

    /**
     * When the output of an operation was pruned and under what rule ({@code 2026-12-05T06:00:00Z retention 90d}),
     * or empty when it was not.
     */
    Optional<String> outputPruned(OperationId id);

    /** The journal's size in bytes: its SQLite file and write-ahead log, or its PostgreSQL tables. */
    long sizeBytes();

    /** Writes buffered output lines now. */
    void flush();
}
