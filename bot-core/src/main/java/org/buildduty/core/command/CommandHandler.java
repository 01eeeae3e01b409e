package org.buildduty.core.command;

/**
 * What a command does. Expected failures throw {@link org.buildduty.core.UserFacingException}; anything else is a
 * bug, logged and answered with a short "internal error" line.
 */
@FunctionalInterface
public interface CommandHandler {
    Outcome handle(CommandContext context);
}
