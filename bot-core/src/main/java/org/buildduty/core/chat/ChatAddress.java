package org.buildduty.core.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a message goes: a connector, a room (IRC channel or nick, Matrix room id, Zulip stream), and an optional
 * thread (Matrix thread root event id, Zulip topic).
 */
public record ChatAddress(String connectorId, String room, String thread) {
    public ChatAddress {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(room, "room");
    }

    /** An address with no thread. */
    public static ChatAddress of(String connectorId, String room) {
        return new ChatAddress(connectorId, room, null);
    }

    /** The thread, if any. */
    public Optional<String> threadId() {
        return Optional.ofNullable(thread);
    }

    /** The same room in another thread. */
    public ChatAddress inThread(String newThread) {
        return new ChatAddress(connectorId, room, newThread);
    }

    @Override
    public String toString() {
        return connectorId + ":" + room + (thread == null ? "" : " > " + thread);
    }
}
