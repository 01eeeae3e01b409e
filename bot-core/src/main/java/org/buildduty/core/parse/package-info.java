/**
 * From a chat line to a parsed command: shell-like tokenizing that never expands anything, option parsing against a
 * {@code CommandSpec} with usage on every error, usage text generated from the spec, "did you mean" matches, and
 * sanitizing of untrusted text echoed back to chat.
 */
package org.buildduty.core.parse;
