/**
 * What happens to an operation's progress events: the {@code ProgressSink} listener, its fan-out, the reporter and
 * status line of a room, the per-room publisher that paces and coalesces what a chat allows, and the redactor that
 * takes every configured secret out of text bound for chat, logs, journal or the web page.
 */
package org.buildduty.core.progress;
