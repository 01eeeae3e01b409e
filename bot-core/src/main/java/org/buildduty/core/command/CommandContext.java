package org.buildduty.core.command;

import java.util.Set;

import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;

/**
 * Everything a handler may use: the message, the parsed arguments, the caller's roles, and the bot's services.
 */
public record CommandContext(ChatMessage message, CommandSpec spec, ParsedArgs args, Set<String> roles, BotApi bot) {
    public CommandContext {
        roles = Set.copyOf(roles);
    }

    /** The verified identity of the caller. */
    public Identity caller() {
        return message.sender();
    }
}
