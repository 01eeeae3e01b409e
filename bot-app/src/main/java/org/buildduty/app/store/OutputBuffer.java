package org.buildduty.app.store;

import static org.buildduty.app.store.JournalRows.bind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.buildduty.core.journal.OutputLine;

/**
 * Output lines taken but not yet written, and the last sequence number handed out per operation. Not thread-safe:
 * the journal's lock guards it.
 */
final class OutputBuffer {
    /** Sequence counters kept before the map is dropped (it is rebuilt from the table on demand). */
    private static final int MAX_COUNTERS = 10_000;

    private final List<Pending> lines = new ArrayList<>();
    private final Map<Long, Long> lastSeq = new HashMap<>();

    int size() {
        return lines.size();
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The last sequence number handed out for {@code op}, or null when not known here. */
    Long lastSeq(long op) {
        return lastSeq.get(op);
    }

    void add(long op, OutputLine line) {
        lines.add(new Pending(op, line));
        lastSeq.put(op, line.seq());
    }

    /** Takes back the newest line of {@code op}, which was refused. */
    void removeLast(long op) {
        Pending last = lines.remove(lines.size() - 1);
        lastSeq.put(op, last.line.seq() - 1);
    }

    /** Inserts every buffered line; the caller's transaction commits and then calls {@link #written()}. */
    void writeTo(Connection c) throws SQLException {
        if (lines.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO output (op, seq, step_index, host, stream, line, "
                + "at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Pending p : lines) {
                OutputLine l = p.line;
                bind(ps, p.op, l.seq(), l.stepIndex(), l.host(), l.stream(), l.line(), l.at()).addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The buffered lines are committed. */
    void written() {
        lines.clear();
        if (lastSeq.size() > MAX_COUNTERS) {
            lastSeq.clear();
        }
    }

    /** Forgets the counter of a finished operation unless it still has buffered lines. */
    void forget(long op) {
        for (Pending p : lines) {
            if (p.op == op) {
                return;
            }
        }
        lastSeq.remove(op);
    }

    /** Adds the buffered lines of {@code op} after {@code afterSeq} to {@code page}, up to {@code limit} in all. */
    void appendTo(List<OutputLine> page, long op, long afterSeq, int limit) {
        for (Pending p : lines) {
            if (page.size() >= limit) {
                return;
            }
            if (p.op == op && p.line.seq() > afterSeq) {
                page.add(p.line);
            }
        }
    }

    /** A buffered output line of operation {@code op}. */
    private static final class Pending {
        final long op;
        final OutputLine line;

        Pending(long op, OutputLine line) {
            this.op = op;
            this.line = line;
        }
    }
}
