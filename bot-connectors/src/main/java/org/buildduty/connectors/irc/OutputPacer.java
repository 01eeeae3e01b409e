package org.buildduty.connectors.irc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.time.Ticker;
import org.buildduty.core.time.TokenBucket;

/**
 * The one outgoing queue of an IRC connection: every PRIVMSG and the bot's own commands (JOIN, WHO, NICK) leave
 * through it at the pace of a token bucket (a burst, then one line per interval), kept under the server's flood
 * limits so the bot is never disconnected for flooding.
 *
 * <p>Commands go before messages. Messages wait while the connection is down (the sink refuses them) and go after
 * the reconnect; past {@code limit} queued messages the oldest are dropped and counted. {@link #pump()} sends what
 * is due and says how long to wait; the connector's pacer thread calls it in a loop, tests call it directly with a
 * fake ticker. Thread-safe.
 *
 * <p>Meters: every message line written counts as a message sent. While the bucket holds messages back (from the
 * first pump that finds it empty with messages queued until the queue is empty), each message line sent records a
 * rate-limit wait from when it was held (the hold's start, or its queueing if later) to when it went, on the
 * injected ticker. Time the sink refuses (not connected) is not a rate-limit wait: it ends the hold.
 */
final class OutputPacer {
    /** Where lines go; returns false (and sends nothing) while not connected and ready. */
    interface Sink {
        boolean send(String rawLine);

        /** True once registered and the channels are joined (messages may go); commands need only registration. */
        boolean ready();

        boolean registered();
    }

    /** One queued message line, with when it was queued. */
    record Out(String target, String text, Instant queuedAt) {
        String raw() {
            return "PRIVMSG " + target + " :" + text;
        }
    }

    private final Ticker ticker;
    private final int limit;
    private final int burst;
    private final Duration interval;
    private final Deque<String> commands = new ArrayDeque<>();
    private final Deque<Out> messages = new ArrayDeque<>();
    private TokenBucket bucket;
    private long dropped;
    private long sent;
    /** Set by whatever queues work or wakes the pacer, cleared by {@link #await}: no wake-up is lost between calls. */
    private boolean signalled;
    /** When the bucket began holding queued messages back; null while it is not. */
    private Instant heldSince;
    private volatile ConnectorMeters meters = ConnectorMeters.NONE;

    OutputPacer(Ticker ticker, int burst, Duration interval, int limit) {
        this.ticker = ticker;
        this.burst = burst;
        this.interval = interval;
        this.limit = limit;
        this.bucket = new TokenBucket(burst, interval, ticker.now());
    }

    /**
     * Queues message lines to one target and sends at once, on the calling thread, what the bucket and {@code sink}
     * allow (nothing when {@code sink} is null). Only lines left waiting wake the pacer thread, so a reply the bucket
     * allows costs no thread wake-up. Returns how many older lines were dropped to make room.
     */
    synchronized int send(String target, List<String> lines, Sink sink, Duration idle) {
        int droppedNow = add(target, lines);
        if (sink != null) {
            pump(sink, idle);
        }
        if (!messages.isEmpty() || !commands.isEmpty()) {
            signal();
        }
        return droppedNow;
    }

    private int add(String target, List<String> lines) {
        int droppedNow = 0;
        Instant now = ticker.now();
        for (String l : lines) {
            messages.add(new Out(target, l, now));
        }
        while (messages.size() > limit) {
            messages.poll();
            droppedNow++;
        }
        dropped += droppedNow;
        return droppedNow;
    }

    /** Queues a command of the bot's own (JOIN, WHO, NICK), sent before any message. */
    synchronized void command(String rawLine) {
        commands.add(rawLine);
        signal();
    }

    /** Forgets the commands of a lost connection (messages stay) and starts a fresh bucket for the next one. */
    synchronized void newConnection() {
        commands.clear();
        bucket = new TokenBucket(burst, interval, ticker.now());
        heldSince = null;
        signal();
    }

    /**
     * Sends what the bucket and the sink allow now. Returns how long to wait before calling again: the time to the
     * next token when lines are waiting, or {@code idle} when there is nothing to send or the sink refuses.
     */
    synchronized Duration pump(Sink sink, Duration idle) {
        while (!commands.isEmpty() || !messages.isEmpty()) {
            boolean command = !commands.isEmpty();
            if (command ? !sink.registered() : !sink.ready()) {
                heldSince = null;
                return idle;
            }
            Instant now = ticker.now();
            Duration wait = bucket.untilNext(now);
            if (!wait.isZero()) {
                if (heldSince == null && !messages.isEmpty()) {
                    heldSince = now;
                }
                return wait;
            }
            Out out = command ? null : messages.peek();
            String raw = command ? commands.peek() : out.raw();
            if (!sink.send(raw)) {
                heldSince = null;
                return idle;
            }
            bucket.tryTake(now);
            if (command) {
                commands.poll();
            } else {
                messages.poll();
                sent++;
                counted(out, now);
            }
        }
        heldSince = null;
        return idle;
    }

    /** Counts a message line written, and its wait if the bucket held it back. */
    private void counted(Out out, Instant now) {
        ConnectorMeters m = meters;
        m.messageSent();
        if (heldSince != null) {
            Instant from = out.queuedAt().isAfter(heldSince) ? out.queuedAt() : heldSince;
            Duration waited = Duration.between(from, now);
            if (waited.compareTo(Duration.ZERO) > 0) {
                m.rateLimitWait(waited);
            }
        }
        if (messages.isEmpty()) {
            heldSince = null;
        }
    }

    /** Where message lines sent and rate-limit waits are counted from now on. */
    void useMeters(ConnectorMeters m) {
        meters = m;
    }

    /**
     * Blocks up to {@code d} or until something is queued (real time). Returns at once if something was queued
     * since the previous call, so a line queued between {@link #pump} and this call is not left waiting.
     */
    synchronized void await(Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!signalled) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        signalled = false;
    }

    /** Wakes a waiting pacer thread. */
    synchronized void wake() {
        signal();
    }

    private void signal() {
        signalled = true;
        notifyAll();
    }

    /** Drops every queued message, counting them; returns how many. */
    synchronized int dropAll() {
        int n = messages.size();
        messages.clear();
        commands.clear();
        heldSince = null;
        dropped += n;
        return n;
    }

    synchronized int queued() {
        return messages.size();
    }

    synchronized long dropped() {
        return dropped;
    }

    synchronized long sent() {
        return sent;
    }
}
