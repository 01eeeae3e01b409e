/**
 * The command SPI: a {@code CommandSpec} declares a command (name, options, positionals, role, handler), command
 * modules register theirs explicitly through {@code CommandRules}, and a handler answers with an {@code Outcome}, a
 * reply or a plan, using only what {@code BotApi} offers. Commands live in bot-commands, never here.
 */
package org.buildduty.core.command;
