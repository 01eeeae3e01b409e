package org.buildduty.core.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.time.Ticker;

/**
 * The chat messages the bot took as commands, by the chat's id of each (a Matrix event id, a Zulip message id), so
 * that a message a connector delivers again is not run twice. A connector stores its position (the Matrix
 * {@code /sync} token, the last Zulip message id) only after it handed the messages on; a restart, or a standby
 * taking over the journal, in between resumes from the older position and delivers them again.
 *
 * <p>A message is recorded as one journal state record ({@value #KIND}, key {@code <connector id>:<message id>},
 * body {@code {"at":"<instant>"}}), committed before its command is handled; a message recorded before is dropped
 * (logged, not answered). Only a message addressed to the bot that names a known command its sender may run is
 * recorded: chatter, typos and refused callers cost no write (delivered again, those get their one-line answer
 * again; nothing runs). A message without an id (IRC, the console) is never recorded and always handled.
 *
 * <p>Records are kept {@link #RETENTION} (7 days), and at most the newest {@link #MAX_RECORDS} (10,000): connectors
 * deliver nothing older than their 10-minute catch-up window again, so both bounds leave a wide margin. The engine's
 * tick prunes from the oldest end, at most {@link #PRUNE_PER_TICK} records a tick, so a tick with nothing due looks
 * at one entry. The records are read back by {@link #restore} when the engine starts (a restart, a takeover).
 */
final class HandledMessages {
    /** The journal state-record kind. */
    static final String KIND = "chat.handled";
    /** How long a record is kept. */
    static final Duration RETENTION = Duration.ofDays(7);
    /** How many records are kept at most; beyond it the oldest go first. */
    static final int MAX_RECORDS = 10_000;
    /** How many records one tick removes at most. */
    static final int PRUNE_PER_TICK = 100;

    private static final Logger LOG = LoggerFactory.getLogger(HandledMessages.class);
    private static final Pattern BODY = Pattern.compile("\\{\\s*\"at\"\\s*:\\s*\"([^\"]+)\"\\s*}");

    private final StateRecords state;
    private final Ticker ticker;
    private final Duration retention;
    private final int max;
    /** Key → when it was handled, oldest first. */
    private final LinkedHashMap<String, Instant> handled = new LinkedHashMap<>();
    private boolean pruneFailing;

    HandledMessages(StateRecords state, Ticker ticker) {
        this(state, ticker, RETENTION, MAX_RECORDS);
    }

    HandledMessages(StateRecords state, Ticker ticker, Duration retention, int max) {
        this.state = state;
        this.ticker = ticker;
        this.retention = retention;
        this.max = max;
    }

    /** Reads the records back from the journal, oldest first; an unreadable one counts as handled now. */
    synchronized void restore() {
        Instant now = ticker.now();
        List<Map.Entry<String, Instant>> read = new ArrayList<>();
        state.states(KIND).forEach((key, body) -> read.add(Map.entry(key, at(key, body, now))));
        read.sort(Map.Entry.comparingByValue());
        handled.clear();
        read.forEach(e -> handled.put(e.getKey(), e.getValue()));
    }

    /**
     * Records {@code m} as taken as a command, before it is handled, and returns true; returns false, recording
     * nothing, when it was taken before (a message delivered again). A message without an id is always new and not
     * recorded.
     *
     * @throws JournalException when the record cannot be written: the command must be refused, not run
     */
    synchronized boolean first(ChatMessage m) {
        String id = m.messageId();
        if (id == null || id.isEmpty()) {
            return true;
        }
        String key = m.connectorId() + ":" + id;
        if (handled.containsKey(key)) {
            LOG.info("message {} from {} on {} was handled at {}; delivered again (a resumed position), not run again",
                    id, m.sender(), m.connectorId(), handled.get(key));
            return false;
        }
        Instant now = ticker.now();
        state.putState(KIND, key, "{\"at\":\"" + now + "\"}");
        handled.put(key, now);
        return true;
    }

    /**
     * Removes the records older than the retention, and the oldest beyond the maximum, from the journal and memory:
     * at most {@link #PRUNE_PER_TICK} at a call. A journal that cannot remove one leaves it for a later call.
     */
    synchronized void prune() {
        Instant cutoff = ticker.now().minus(retention);
        Iterator<Map.Entry<String, Instant>> it = handled.entrySet().iterator();
        for (int n = 0; n < PRUNE_PER_TICK && it.hasNext(); n++) {
            Map.Entry<String, Instant> oldest = it.next();
            if (!oldest.getValue().isBefore(cutoff) && handled.size() <= max) {
                break;
            }
            try {
                state.removeState(KIND, oldest.getKey());
            } catch (JournalException e) {
                if (!pruneFailing) {
                    LOG.warn("cannot prune the {} records now ({}); trying again on later ticks", KIND,
                            e.getMessage());
                }
                pruneFailing = true;
                return;
            }
            it.remove();
        }
        pruneFailing = false;
    }

    /** How many messages are remembered now. */
    synchronized int size() {
        return handled.size();
    }

    private static Instant at(String key, String body, Instant now) {
        Matcher m = BODY.matcher(body.strip());
        if (m.matches()) {
            try {
                return Instant.parse(m.group(1));
            } catch (DateTimeParseException e) {
                // unreadable: below
            }
        }
        LOG.warn("unreadable {} record {} ({}); kept as handled now", KIND, key, body);
        return now;
    }
}
