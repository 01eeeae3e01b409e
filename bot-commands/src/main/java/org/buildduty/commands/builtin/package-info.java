/**
 * The built-in commands every bot has: {@code help}, {@code whoami}, {@code ops}, {@code op}, {@code cancel},
 * {@code approve} and {@code deny}, and {@code reload} (role {@code admin}), which bot-app wires to its reloader.
 * They act only through bot-core's {@code BotApi}.
 */
package org.buildduty.commands.builtin;
