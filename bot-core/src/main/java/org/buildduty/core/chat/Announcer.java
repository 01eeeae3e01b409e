package org.buildduty.core.chat;

/**
 * Posts one-line announcements to any room of any configured connector, through the room's paced and redacting
 * publisher. Targets are written {@code [<connector-id>:]<room>} ({@link AnnounceTarget}).
 */
public interface Announcer {
    /** Longest announcement text, in characters. */
    int MAX_TEXT = 400;

    /**
     * Resolves a target to an address. Without a connector id it is the connector the request came from, if that
     * one can post to the room; else the only connector that can (a terminal is chosen only when no chat can).
     *
     * @param target the target as written
     * @param fromConnectorId the connector the request came from, or null (a runbook step)
     * @throws org.buildduty.core.UnknownTargetException with one line listing the connectors when the target is
     *     malformed, unknown or ambiguous
     */
    ChatAddress resolve(String target, String fromConnectorId);

    /**
     * Posts one line of text (line breaks become spaces) to a resolved address.
     *
     * @throws org.buildduty.core.UnknownTargetException if no connector has the address's id
     * @throws org.buildduty.core.InvalidValueException if the text is blank or longer than {@link #MAX_TEXT}
     */
    void announce(ChatAddress to, String text);

    /**
     * Starts a thread about one subject in a room with its first message, and returns the address the thread's
     * later messages go to: a Zulip topic named {@code title}, a Matrix thread rooted at the first message, or the
     * room itself where the chat has no threads (IRC, a terminal), in which case callers prefix their lines with the
     * subject. If the room's address already names a thread, the messages stay in it.
     *
     * @param rootMessageId the chat's id of the request the thread is about ({@code ChatMessage.messageId()}), or
     *     null
     *
     * @throws org.buildduty.core.UnknownTargetException if no connector has the address's id
     * @throws org.buildduty.core.InvalidValueException if the text is blank or longer than {@link #MAX_TEXT}
     */
    default ChatAddress openThread(ChatAddress room, String title, String firstText, String rootMessageId) {
        announce(room, firstText);
        return room;
    }
}
