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
 * @param liveOutput every output line of a running step may be shown (a local terminal); chat rooms get only
 *     notable events, status and the last lines of a failure
 */
public record Capabilities(boolean edits, boolean threads, int maxMessageBytes, int burst, Duration interval,
        boolean liveOutput) {
    /**
     * True where every line costs the room's flood budget and cannot be edited later (IRC): answers there should be
     * short, e.g. {@code help} lists names in one line instead of one line per command.
     */
    public boolean linesAreScarce() {
        return !edits && !liveOutput;
    }

    /** A local terminal: plain lines, no rate limit, live output. */
    public static Capabilities terminal() {
        return new Capabilities(false, false, 64 * 1024, Integer.MAX_VALUE, Duration.ZERO, true);
    }
}
