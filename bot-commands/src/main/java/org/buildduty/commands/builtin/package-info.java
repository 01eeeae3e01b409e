/**
 * The built-in commands every bot has: {@code help}, {@code whoami}, {@code ops}, {@code op}, {@code cancel},
 * {@code approve} and {@code deny}. They act only through bot-core's {@code BotApi}.
 */
package org.buildduty.commands.builtin;
