package org.buildduty.core.chat;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.UnknownTargetException;

/**
 * Where an announcement goes, as written by a person or a runbook: {@code [<connector-id>:]<room>}, where the room
 * is an IRC channel ({@code #releng}), a Matrix room ({@code !id:server} or {@code #alias:server}), a Zulip
 * {@code stream > topic}, or any name on the console.
 *
 * <pre>{@code
 * AnnounceTarget.parse("irc:#releng")             // connector irc, room #releng
 * AnnounceTarget.parse("Engineering > buildbot")  // any connector, room Engineering, thread buildbot
 * }</pre>
 *
 * @param connectorId the connector named before the first colon, or null when the target names none
 * @param room the room, channel or stream
 * @param thread the Zulip topic, or null
 */
public record AnnounceTarget(String connectorId, String room, String thread) {
    /** Longest target accepted. */
    public static final int MAX_LENGTH = 200;
    /** The shape of a target, for error messages. */
    public static final String SYNTAX = "[connector:]room, e.g. #releng, irc:#releng or stream > topic";
    private static final Pattern PREFIX = Pattern.compile("([a-z][a-z0-9_-]*):(.*)", Pattern.DOTALL);

    /**
     * Parses a target.
     *
     * @throws UnknownTargetException with one line when it is not of the form {@link #SYNTAX}
     */
    public static AnnounceTarget parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new UnknownTargetException("no announcement target; write " + SYNTAX);
        }
        if (t.length() > MAX_LENGTH || t.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new UnknownTargetException("an announcement target is at most " + MAX_LENGTH
                    + " printable characters; write " + SYNTAX);
        }
        String connector = null;
        String rest = t;
        Matcher m = PREFIX.matcher(t);
        if (m.matches()) {
            connector = m.group(1);
            rest = m.group(2).strip();
        }
        int gt = rest.indexOf('>');
        if (gt >= 0) {
            String stream = rest.substring(0, gt).strip();
            String topic = rest.substring(gt + 1).strip();
            if (stream.isEmpty() || topic.isEmpty() || topic.indexOf('>') >= 0) {
                throw new UnknownTargetException("a stream target is \"stream > topic\", not \"" + t + "\"");
            }
            return new AnnounceTarget(connector, stream, topic);
        }
        if (rest.isEmpty() || rest.chars().anyMatch(Character::isWhitespace)) {
            throw new UnknownTargetException("not an announcement target: \"" + t + "\"; write " + SYNTAX);
        }
        return new AnnounceTarget(connector, rest, null);
    }

    /** The connector named in the target, if any. */
    public Optional<String> connector() {
        return Optional.ofNullable(connectorId);
    }

    /** The address on a connector. */
    public ChatAddress on(String connector) {
        return new ChatAddress(connector, room, thread);
    }

    /** The target without its connector, as written: {@code #releng} or {@code Engineering > buildbot}. */
    public String place() {
        return thread == null ? room : room + " > " + thread;
    }
}
