/**
 * The failures every module shares: {@code BuilddutyException}, the unchecked root whose message stays in the logs,
 * and {@code UserFacingException} with its subtypes, whose one-line message is safe to post in a chat room.
 * Depends on nothing else of the bot.
 */
package org.buildduty.core;
