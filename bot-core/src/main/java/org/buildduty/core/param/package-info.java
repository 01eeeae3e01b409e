/**
 * Typed parameters of commands and runbooks: declaration, validation to a canonical value with one chat-safe error
 * line, the inventory that {@code host} and {@code group} values must name, and the escaping (shell quoting, JSON,
 * URL) by which a value enters a step argument, so no chat text reaches a shell unquoted.
 */
package org.buildduty.core.param;
