package org.buildduty.core.chat;

/** A message a connector sent, for later edits; {@code id} is the chat system's message id. */
public record MessageRef(ChatAddress address, String id) {
}
