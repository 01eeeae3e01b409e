package org.buildduty.core.pipeline;

import java.util.Locale;
import java.util.Optional;

import org.buildduty.core.chat.ChatMessage;

/**
 * Decides whether a message is meant for the bot and strips the address: the prefix ({@code !help}), the bot's
 * name ({@code buildduty: help}, {@code buildduty, help}), or nothing in a private message or on the console.
 */
final class Addressing {
    private Addressing() {
    }

    /** The command text, or empty when the message is not addressed to the bot. */
    static Optional<String> commandText(ChatMessage m, String prefix, String nick) {
        String t = m.text().strip();
        if (!prefix.isEmpty() && t.startsWith(prefix)) {
            String rest = t.substring(prefix.length());
            return rest.isBlank() || rest.startsWith(prefix) ? Optional.empty() : Optional.of(rest.strip());
        }
        if (nick != null && !nick.isEmpty() && t.length() > nick.length()
                && t.substring(0, nick.length()).toLowerCase(Locale.ROOT).equals(nick.toLowerCase(Locale.ROOT))) {
            char sep = t.charAt(nick.length());
            if (sep == ':' || sep == ',') {
                String rest = t.substring(nick.length() + 1).strip();
                if (!prefix.isEmpty() && rest.startsWith(prefix)) {
                    rest = rest.substring(prefix.length());
                }
                return rest.isBlank() ? Optional.empty() : Optional.of(rest);
            }
        }
        return m.direct() && !t.isEmpty() ? Optional.of(t) : Optional.empty();
    }
}
