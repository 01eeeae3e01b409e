package org.buildduty.connectors.zulip;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.Identity;

/**
 * Zulip message objects as {@link ChatMessage}s. A stream message's address is the stream and its topic; a private
 * message's is the sender's email (a group conversation's: the other members' emails, sorted, comma-separated)
 * with no thread, and it is direct. A stream message that begins with a mention of the bot
 * ({@code @**buildduty** whoami}) loses the mention and is direct too: it is addressed to the bot.
 */
final class ZulipMessages {
    private static final Pattern MENTION = Pattern.compile("^@_?\\*\\*([^*|]+)(\\|\\d+)?\\*\\*[\\s:,]*");

    /** Who the bot is on the server ({@code GET /users/me}). */
    record Self(long userId, String email, String fullName) {
    }

    private ZulipMessages() {
    }

    /** True for the bot's own messages, which are never handled. */
    static boolean fromSelf(JsonNode m, Self self) {
        return m.path("sender_id").asLong(-1) == self.userId()
                || m.path("sender_email").asText("").equalsIgnoreCase(self.email());
    }

    /** The stream of a stream message, or null for a private message. */
    static String stream(JsonNode m) {
        return "stream".equals(m.path("type").asText()) ? m.path("display_recipient").asText() : null;
    }

    /** The message as a chat line of connector {@code id}. */
    static ChatMessage toChat(String id, JsonNode m, Self self, Instant now) {
        String email = m.path("sender_email").asText();
        String name = m.path("sender_full_name").asText(email);
        String text = m.path("content").asText("");
        boolean direct;
        ChatAddress room;
        String stream = stream(m);
        if (stream != null) {
            String topic = m.has("subject") ? m.path("subject").asText() : m.path("topic").asText();
            room = new ChatAddress(id, stream, topic.isEmpty() ? null : topic);
            direct = false;
        } else {
            room = ChatAddress.of(id, privateRoom(m, self, email));
            direct = true;
        }
        Matcher mention = MENTION.matcher(text);
        if (mention.find() && mention.group(1).strip().equalsIgnoreCase(self.fullName())) {
            text = text.substring(mention.end());
            direct = true;
        }
        return new ChatMessage(room, new Identity(id, email), name, text, direct, now, m.path("id").asText());
    }

    /**
     * A {@code reaction} event ({@code op} add or remove) by the user with Zulip API email {@code email}, as a chat
     * reaction of connector {@code id}; null unless it is a Unicode emoji ({@code reaction_type} {@code unicode_emoji},
     * compared by its {@code emoji_code}, never by its name, which differs across servers) on a message. Custom and
     * Zulip-specific emoji are not approvals.
     */
    static ChatReaction reaction(String id, JsonNode e, String email, Instant now) {
        String op = e.path("op").asText();
        String type = e.path("reaction_type").asText();
        String code = e.path("emoji_code").asText("");
        long message = e.path("message_id").asLong(-1);
        long user = e.path("user_id").asLong(e.path("user").path("user_id").asLong(-1));
        if (!(op.equals("add") || op.equals("remove")) || !type.equals("unicode_emoji") || message < 0 || user < 0) {
            return null;
        }
        String emoji = ChatReaction.fromCodePoints(code);
        if (emoji == null) {
            return null;
        }
        return new ChatReaction(id, null, new Identity(id, email), Long.toString(message), emoji, op.equals("add"),
                message + "/" + type + "/" + code + "/" + user, now);
    }

    private static String privateRoom(JsonNode m, Self self, String sender) {
        List<String> others = new ArrayList<>();
        for (JsonNode r : m.path("display_recipient")) {
            String e = r.path("email").asText();
            if (!e.isEmpty() && !e.equalsIgnoreCase(self.email())) {
                others.add(e);
            }
        }
        if (others.size() <= 1) {
            return sender;
        }
        others.sort(String.CASE_INSENSITIVE_ORDER);
        return String.join(",", others);
    }

    /** True for the address of a private conversation: emails, never a stream name. */
    static boolean isPrivate(ChatAddress to) {
        return to.room().contains("@");
    }
}
