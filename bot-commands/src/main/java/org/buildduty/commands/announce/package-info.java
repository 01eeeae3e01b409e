/**
 * Announcements: the {@code announce <target> <text>} command and the {@code announce} step kind, both posting one
 * line to any room of any configured connector through bot-core's {@code Announcer}, never a connector directly.
 */
package org.buildduty.commands.announce;
