package org.buildduty.core.chat;

/** Something a connector observed: a message, a reaction added or removed, or a change of its connection. */
public sealed interface ChatEvent permits ChatMessage, ChatReaction, ConnectionChanged {
    /** The connector that saw the event. */
    String connectorId();

    /** The single entry point a connector pushes events to; implementations must not throw. */
    @FunctionalInterface
    interface Listener {
        void onEvent(ChatEvent event);
    }
}
