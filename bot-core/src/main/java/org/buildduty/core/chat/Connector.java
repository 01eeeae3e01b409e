package org.buildduty.core.chat;


/**
 * A chat system the bot lives in. It turns what it receives into {@link ChatEvent}s and sends text back.
 *
 * <p>Implementations verify sender identities, pace their own output to the server's rules, and never let
 * outgoing text inject protocol commands.
 */
public interface Connector extends AutoCloseable {
    /** The configured id, the first half of every identity this connector produces. */
    String id();

    /** What this chat supports. */
    Capabilities capabilities();

    /** Starts receiving; events go to the listener on the connector's own threads. Does not block. */
    void start(ChatEvent.Listener listener);

    /** Sends text (may be split by the connector), returning a reference to the first message sent. */
    MessageRef send(ChatAddress to, String text);

    /**
     * Starts a thread about a subject with its first message and returns a reference to that message, whose
     * address is where the thread's later messages go (see {@link Announcer#openThread}). By default the chat has no
     * threads: the text is sent to the room and the room is the address.
     *
     * @param rootMessageId the chat's id of the message the thread is about (the request), or null; a Matrix thread
     *     is rooted at it, where given
     */
    default MessageRef startThread(ChatAddress room, String title, String text, String rootMessageId) {
        MessageRef sent = send(room, text);
        return new MessageRef(room, sent == null ? "" : sent.id());
    }

    /** Replaces the text of a message sent before; only called when {@link Capabilities#edits()}. */
    default void edit(MessageRef ref, String text) {
        throw new UnsupportedOperationException(id() + " cannot edit messages");
    }

    /**
     * True if this connector can post to the address's room (and thread), for announcements to rooms the bot was
     * not spoken to in: an IRC connector takes channels, a terminal any room name. False by default, so a connector
     * never receives an announcement meant for another chat.
     */
    default boolean takes(ChatAddress to) {
        return false;
    }

    /**
     * Gives the connector its meters (messages sent, rate-limit waits); the engine calls it once, before
     * {@link #start}. The default ignores them.
     */
    default void useMeters(ConnectorMeters meters) {
    }

    /** True while connected, or reconnecting within its budget. */
    default boolean healthy() {
        return true;
    }

    /** Stops the connector; queued output is flushed or counted as dropped. */
    @Override
    void close();
}
