package org.buildduty.core.chat;

import java.time.Duration;

/**
 * What a chat system can do, read by the room publisher to choose between editing, threading and plain lines.
 *
 * @param edits messages can be edited in place
 * @param threads replies can go in a thread
 * @param maxMessageBytes the largest message in UTF-8 bytes
 * @param burst how many messages may go at once
 * @param interval the steady gap between messages after the burst
 */
public record Capabilities(boolean edits, boolean threads, int maxMessageBytes, int burst, Duration interval) {
    /** A plain-lines chat with no edits or threads and no rate limit (the console). */
    public static Capabilities plain(int maxMessageBytes) {
        return new Capabilities(false, false, maxMessageBytes, Integer.MAX_VALUE, Duration.ZERO);
    }
}
