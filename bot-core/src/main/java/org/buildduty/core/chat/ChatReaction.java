package org.buildduty.core.chat;

import java.time.Instant;
import java.util.Objects;

/**
 * An emoji reaction added to a message, or removed from it, as a connector received it: a Matrix {@code m.reaction}
 * annotation (removed by an {@code m.room.redaction}), a Zulip {@code reaction} event ({@code op} add or remove).
 * The bot's own reactions never come here.
 *
 * <p>A removal may name only the reaction: a Matrix redaction says which event it removes, not what that event was,
 * so {@code targetMessageId} and {@code key} are null there and {@code reactionId} says which reaction went.
 *
 * @param connectorId the connector that saw it
 * @param room the room the reaction was made in, or null where the chat does not say (a Zulip message id is global)
 * @param sender the verified identity of who reacted, or of who removed the reaction (a Matrix moderator may redact
 *     someone else's)
 * @param targetMessageId the chat's id of the message reacted to (a Matrix event id, a Zulip message id); null for a
 *     removal that names only the reaction
 * @param key the emoji, {@link #normalize normalized}; null for a removal that names only the reaction
 * @param added true for a reaction added, false for one removed
 * @param reactionId the chat's id of this reaction, the same for its addition and its removal: the Matrix reaction
 *     event id, or for Zulip {@code <message id>/<reaction_type>/<emoji_code>/<user id>} (one row per user, message
 *     and emoji)
 * @param receivedAt when the connector received it
 */
public record ChatReaction(String connectorId, String room, Identity sender, String targetMessageId, String key,
        boolean added, String reactionId, Instant receivedAt) implements ChatEvent {
    public ChatReaction {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(reactionId, "reactionId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (added && (targetMessageId == null || key == null)) {
            throw new IllegalArgumentException("an added reaction names its message and emoji");
        }
        key = key == null ? null : normalize(key);
    }

    /**
     * An emoji without its presentation selector (U+FE0F) and skin-tone modifiers (U+1F3FB..U+1F3FF), so that
     * {@code ✔} and {@code ✔️}, or 👍 and 👍🏽, compare equal. Matrix defines no normalization of annotation keys;
     * this is the bot's choice.
     */
    public static String normalize(String key) {
        StringBuilder out = new StringBuilder(key.length());
        key.codePoints().filter(c -> c != 0xFE0F && (c < 0x1F3FB || c > 0x1F3FF)).forEach(out::appendCodePoint);
        return out.toString();
    }

    /**
     * The emoji of a Zulip {@code unicode_emoji} code, the dash-separated hex code points ({@code 1f44d},
     * {@code 2714}); null for a code that is not one.
     */
    public static String fromCodePoints(String code) {
        StringBuilder out = new StringBuilder();
        for (String part : code.split("-", -1)) {
            if (part.isEmpty() || part.length() > 6 || !part.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return null;
            }
            int cp = Integer.parseInt(part, 16);
            if (!Character.isValidCodePoint(cp)) {
                return null;
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }
}
