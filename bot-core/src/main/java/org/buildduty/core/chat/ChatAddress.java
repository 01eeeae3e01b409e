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

    /**
     * The record's equality, written out: an address is a map key on every message's path, and the generated
     * {@code equals} and {@code hashCode} go through method handles that stay slow until the JIT's last tier.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ChatAddress a && connectorId.equals(a.connectorId) && room.equals(a.room)
                && Objects.equals(thread, a.thread);
    }

    @Override
    public int hashCode() {
        return (connectorId.hashCode() * 31 + room.hashCode()) * 31 + Objects.hashCode(thread);
    }

    @Override
    public String toString() {
        return connectorId + ":" + room + (thread == null ? "" : " > " + thread);
    }
}
