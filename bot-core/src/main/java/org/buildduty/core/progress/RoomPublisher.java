package org.buildduty.core.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.time.Ticker;
import org.buildduty.core.time.TokenBucket;

/**
 * Sends an operation's messages to one room at a pace the chat allows, coalescing what can be coalesced.
 *
 * <p>Four kinds of message: answers to a command go out at once; notable lines (failures, stuck hosts) go in order,
 * and past a backlog limit the rest are counted and summarised in one line; status lines are coalesced per key (only
 * the newest is kept), edited in place where the chat can edit, or sent at most once per status interval where it
 * cannot; final lines are never dropped or coalesced. Sending follows the connector's burst and interval through a
 * token bucket driven by the injected {@link Ticker}; {@link #drain()} sends what is due and is called after each
 * enqueue and by a timer.
 */
public final class RoomPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(RoomPublisher.class);
    /** Notable lines waiting beyond this are dropped and counted. */
    static final int MAX_BACKLOG = 20;

    private final Connector connector;
    private final ChatAddress room;
    private final Ticker ticker;
    private final Redactor redactor;
    private final Capabilities caps;
    private final Duration statusInterval;

    private final Deque<String> queue = new ArrayDeque<>();
    private final Map<Object, String> pendingStatus = new LinkedHashMap<>();
    private final Map<Object, MessageRef> statusRefs = new HashMap<>();
    private final Map<Object, Instant> lastStatusSent = new HashMap<>();
    private final Map<Object, Integer> dropped = new LinkedHashMap<>();
    private final TokenBucket bucket;

    public RoomPublisher(Connector connector, ChatAddress room, Ticker ticker, Redactor redactor,
            Duration statusInterval) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.room = Objects.requireNonNull(room, "room");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.redactor = redactor == null ? Redactor.NONE : redactor;
        this.caps = connector.capabilities();
        this.statusInterval = statusInterval;
        this.bucket = new TokenBucket(caps.burst(), caps.interval(), ticker.now());
    }

    /** The room this publisher writes to. */
    public ChatAddress room() {
        return room;
    }

    /** The redactor every text passes before it is sent; cut text with its {@link Redactor#cut}. */
    Redactor redactor() {
        return redactor;
    }

    /** What the chat supports. */
    public Capabilities capabilities() {
        return caps;
    }

    /** Queues a notable line for {@code key} (an operation); past the backlog limit it is counted instead. */
    public synchronized void line(Object key, String text) {
        if (queue.size() >= MAX_BACKLOG) {
            dropped.merge(key, 1, Integer::sum);
        } else {
            queue.add(text);
        }
        drain();
    }

    /** Offers a new status for {@code key}; only the newest pending status is kept. */
    public synchronized void status(Object key, String text) {
        pendingStatus.put(key, text);
        drain();
    }

    /** Queues final lines for {@code key}: any pending status is superseded, and these are never dropped. */
    public synchronized void finish(Object key, String statusText, List<String> lines) {
        pendingStatus.remove(key);
        Integer n = dropped.remove(key);
        if (n != null) {
            queue.add(key + ": " + n + " more lines not shown here (see the full log)");
        }
        MessageRef ref = statusRefs.remove(key);
        lastStatusSent.remove(key);
        if (ref != null && caps.edits()) {
            safeEdit(ref, statusText);
        } else {
            queue.add(statusText);
        }
        queue.addAll(lines);
        drain();
    }

    /**
     * Sends direct answers to a command at once, whatever the room's budget (the connector still paces its own
     * lines under the server's limits): a person waiting for an answer never waits behind progress. They count
     * against the budget, so progress yields to them. Like final lines, they are never dropped: what the connector
     * refuses waits in the queue. Returns the messages the lines sent at once were sent as, in order (the lines
     * after them wait in the queue).
     */
    public synchronized List<MessageRef> reply(List<String> lines) {
        Instant now = ticker.now();
        List<MessageRef> refs = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            MessageRef ref = send(lines.get(i));
            if (ref == null) {
                break;
            }
            refs.add(ref);
            bucket.take(now);
            i++;
        }
        queue.addAll(lines.subList(i, lines.size()));
        drain();
        return refs;
    }

    /** Sends what the rate allows now. Returns the number of messages sent. */
    public synchronized int drain() {
        Instant now = ticker.now();
        int sent = 0;
        while (bucket.available(now) >= 1 && !queue.isEmpty()) {
            if (!safeSend(queue.peek())) {
                break;
            }
            queue.poll();
            bucket.take(now);
            sent++;
        }
        for (Map.Entry<Object, String> e : new LinkedHashMap<>(pendingStatus).entrySet()) {
            if (bucket.available(now) < 1 || !queue.isEmpty()) {
                break;
            }
            Object key = e.getKey();
            MessageRef ref = statusRefs.get(key);
            Instant last = lastStatusSent.get(key);
            boolean due = last == null || !now.isBefore(last.plus(statusInterval));
            if (!due) {
                continue;
            }
            if (ref != null && caps.edits()) {
                safeEdit(ref, e.getValue());
            } else {
                MessageRef r = send(e.getValue());
                if (r == null) {
                    break;
                }
                if (caps.edits()) {
                    statusRefs.put(key, r);
                }
            }
            pendingStatus.remove(key);
            lastStatusSent.put(key, now);
            bucket.take(now);
            sent++;
        }
        return sent;
    }

    /** Lines waiting to be sent (notable lines, answers and final lines; not a status held back by its interval). */
    public synchronized int queuedLines() {
        return queue.size();
    }

    /** Messages waiting (notable and final lines, plus pending statuses). */
    public synchronized int backlog() {
        return queue.size() + pendingStatus.size();
    }

    private boolean safeSend(String text) {
        return send(text) != null;
    }

    private MessageRef send(String text) {
        try {
            MessageRef ref = connector.send(room, redactor.redact(text));
            return ref == null ? new MessageRef(room, "") : ref;
        } catch (RuntimeException e) {
            LOG.warn("send to {} failed: {}", room, e.toString());
            return null;
        }
    }

    private void safeEdit(MessageRef ref, String text) {
        try {
            connector.edit(ref, redactor.redact(text));
        } catch (RuntimeException e) {
            LOG.warn("edit in {} failed: {}", room, e.toString());
        }
    }
}
