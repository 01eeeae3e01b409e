package org.buildduty.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer lines one asker receives, each stamped with {@link System#nanoTime()} when it was read, for
 * {@link LoadBench}: an asker sends a command followed by a marker (an unknown command carrying a unique token) and
 * {@link #takeThrough} returns every line up to and including the marker's answer. The bot answers one asker's
 * commands in order and queues each answer's lines together, so the lines before the marker answer the command.
 */
final class ReplyQueue {
    private final List<Line> lines = new ArrayList<>();
    private boolean closed;

    /** One answer line and when it was read. */
    record Line(String text, long stamp) {
    }

    synchronized void add(String text, long stamp) {
        lines.add(new Line(text, stamp));
        notifyAll();
    }

    /** No more lines will come (the connection or the process ended): waiting callers return. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /**
     * Waits up to {@code timeout} for a line containing {@code token}; removes and returns every line up to and
     * including it, or an empty list (nothing removed) if it did not come.
     */
    synchronized List<Line> takeThrough(String token, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).text().contains(token)) {
                    List<Line> taken = new ArrayList<>(lines.subList(0, i + 1));
                    lines.subList(0, i + 1).clear();
                    return taken;
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0 || closed) {
                return List.of();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Removes and returns every line received and not taken. */
    synchronized List<Line> drain() {
        List<Line> taken = new ArrayList<>(lines);
        lines.clear();
        return taken;
    }

    /** Lines received and not taken (answers that came after their asker gave up). */
    synchronized int pending() {
        return lines.size();
    }
}
