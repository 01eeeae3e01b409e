package org.buildduty.core.pipeline;

import java.util.List;
import java.util.Optional;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.progress.RoomPublisher;

/**
 * The rooms as {@link Operations} sees them: answer in a room, open an operation's own thread where the chat has
 * threads, and find the publisher its progress goes to. {@link Rooms} is the one implementation.
 */
interface OperationRooms {
    /** Sends direct answers to a room, through its publisher. */
    void reply(ChatAddress room, List<String> lines);

    /**
     * Says that the answer line containing {@code line}, when sent, asks for approval of operation {@code id}: the
     * message it is sent as is registered, so a reaction on it approves ✅ 👍 ✔ or denies ❌ (see
     * {@link ReactionApprovals#register}, which takes a message already sent).
     */
    void asking(String line, OperationId id, int step);

    /** True if the room's chat has threads, so an operation gets its own. */
    boolean threaded(ChatAddress room);

    /** Opens a thread in {@code room} with a first line; the room itself when that fails. */
    ChatAddress openThread(ChatAddress room, String title, String firstText, String rootMessageId);

    /** The publisher of a room, created on first use; empty if its connector is unknown. */
    Optional<RoomPublisher> publisher(ChatAddress room);
}
