package org.buildduty.core.chat;

import java.time.Instant;
import java.util.Objects;

/**
 * One chat line as a connector received it.
 *
 * @param room where it was said, and where answers go
 * @param sender the verified identity of the sender
 * @param senderName the display name (IRC nick), for addressing replies only, never for authorization
 * @param text the raw text
 * @param direct true for a private message or the console, where the command prefix is optional
 * @param receivedAt when the connector received it
 * @param messageId the chat system's id of this message (a Matrix event id, a Zulip message id), or null where the
 *     chat has none (IRC, a terminal); threads about a request are rooted at it
 */
public record ChatMessage(ChatAddress room, Identity sender, String senderName, String text, boolean direct,
        Instant receivedAt, String messageId) implements ChatEvent {
    public ChatMessage {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(receivedAt, "receivedAt");
        senderName = senderName == null ? sender.principal() : senderName;
    }

    /** A message from a chat that gives messages no id. */
    public ChatMessage(ChatAddress room, Identity sender, String senderName, String text, boolean direct,
            Instant receivedAt) {
        this(room, sender, senderName, text, direct, receivedAt, null);
    }

    @Override
    public String connectorId() {
        return room.connectorId();
    }
}
