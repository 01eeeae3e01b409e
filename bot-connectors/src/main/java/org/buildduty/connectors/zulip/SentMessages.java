package org.buildduty.connectors.zulip;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.buildduty.core.chat.ChatAddress;

/**
 * The messages the connector sent, for edits: when each was sent (Zulip refuses edits after the realm's limit) and,
 * for a message that outlived the limit, the newer message that took its place, so that later edits of the
 * original reference go to the replacement. Bounded: the oldest entries are forgotten.
 */
final class SentMessages {
    private static final int MAX = 5_000;

    /** A message as it stands now: its current id (the replacement's, if any), where, when sent, and its text. */
    record Sent(long id, ChatAddress address, Instant sentAt, String content) {
    }

    private final Map<Long, Sent> byOriginal = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Sent> eldest) {
            return size() > MAX;
        }
    };

    synchronized void sent(long id, ChatAddress address, Instant at, String content) {
        byOriginal.put(id, new Sent(id, address, at, content));
    }

    /** Records the text an edit gave the message that stands for {@code original}. */
    synchronized void edited(long original, String content) {
        Sent s = byOriginal.get(original);
        if (s != null) {
            byOriginal.put(original, new Sent(s.id(), s.address(), s.sentAt(), content));
        }
    }

    /** The message that now stands for {@code original}, or null if unknown (sent before a restart). */
    synchronized Sent current(long original) {
        return byOriginal.get(original);
    }

    /** Points {@code original} at a new message that replaces it. */
    synchronized void replaced(long original, long newId, ChatAddress address, Instant at, String content) {
        byOriginal.put(original, new Sent(newId, address, at, content));
    }
}
