package org.buildduty.app.store;

import static org.buildduty.app.store.JournalDb.query;
import static org.buildduty.app.store.JournalDb.update;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.buildduty.core.operation.OperationId;

/**
 * {@link BotJournal#prune} and {@link BotJournal#outputPruned} over the tables both journals share: the operations
 * to prune are taken {@value #BATCH} at a time, oldest id first, each batch deleted in one transaction of the
 * journal's own, so its lock is never held for a whole pruning.
 */
final class JournalPruning {
    /** How many operations one transaction deletes. */
    static final int BATCH = 100;
    /** The state kind of the records saying when an operation's output was pruned. */
    static final String PRUNED_KIND = "retention.pruned";

    private JournalPruning() {
    }

    /** Runs {@code work} in one committed transaction of the journal (after its buffered output). */
    @FunctionalInterface
    interface Transactions {
        <T> T write(String doing, JournalDb.Work<T> work);
    }

    /** The operations and output lines one pruning deleted. */
    record Deleted(int operations, long lines) {
    }

    /**
     * Deletes, batch after batch, the ended operations that ended before {@code cutoff} and are not among the newest
     * {@code keepNewest} ended ones, with their output, host runs and approvals, recording {@code at note} for each.
     * Each batch picks its operations anew (after the last id the one before deleted), so an operation that ends or
     * starts meanwhile is judged as it is then.
     *
     * @param endedAt how the database compares {@code ended_at} as text byte by byte, e.g. {@code ended_at}
     */
    static Deleted prune(Transactions journal, String endedAt, Instant cutoff, int keepNewest, Instant at,
            String note) {
        String ended = "ended_at IS NOT NULL AND state IN (" + JournalRows.ENDED + ")";
        String select = "SELECT id FROM operations WHERE " + ended + " AND " + endedAt + " < ? AND id > ?"
                + " AND id NOT IN (SELECT id FROM operations WHERE " + ended + " ORDER BY id DESC LIMIT ?)"
                + " ORDER BY id LIMIT " + BATCH;
        String body = at + " " + note;
        int operations = 0;
        long lines = 0;
        long after = 0;
        while (true) {
            long from = after;
            long[] batch = journal.write("pruning output", c -> {
                List<Long> ids = query(c, select, rs -> rs.getLong(1), cutoff, from, Math.max(0, keepNewest));
                long deleted = 0;
                for (long id : ids) {
                    deleted += delete(c, id, body);
                }
                return new long[] {ids.size(), deleted, ids.isEmpty() ? from : ids.get(ids.size() - 1)};
            });
            operations += (int) batch[0];
            lines += batch[1];
            after = batch[2];
            if (batch[0] < BATCH) {
                return new Deleted(operations, lines);
            }
        }
    }

    /** Deletes operation {@code id} with its rows and records {@code body} for it; returns its output lines. */
    private static long delete(Connection c, long id, String body) throws SQLException {
        long lines = update(c, "DELETE FROM output WHERE op = ?", id);
        update(c, "DELETE FROM host_runs WHERE op = ?", id);
        update(c, "DELETE FROM approvals WHERE op = ?", id);
        update(c, "DELETE FROM operations WHERE id = ?", id);
        update(c, "INSERT INTO state (kind, key, body) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE"
                + " SET body = excluded.body", PRUNED_KIND, key(id), body);
        return lines;
    }

    /** The record of when operation {@code id} was pruned, if it was. */
    static Optional<String> note(Connection c, OperationId id) throws SQLException {
        return query(c, "SELECT body FROM state WHERE kind = ? AND key = ?", rs -> rs.getString(1), PRUNED_KIND,
                key(id.value())).stream().findFirst();
    }

    /** Zero-padded, so the records sort by id. */
    private static String key(long id) {
        return String.format("%019d", id);
    }
}
