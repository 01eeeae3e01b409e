package org.buildduty.connectors.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.ConnectionChanged;

/**
 * Records what a connector reports, and waits (up to 15 s) for a message or a connection state; on time-out the
 * assertion error lists every event recorded.
 */
public final class RecordingListener implements ChatEvent.Listener {
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** Every event, in order. */
    public final List<ChatEvent> all = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void onEvent(ChatEvent event) {
        all.add(event);
        notifyAll();
    }

    /** The first message that matches, waiting for it. */
    public ChatMessage message(Predicate<ChatMessage> p) throws InterruptedException {
        return await(ChatMessage.class, p, "message");
    }

    /** The first reaction (added or removed) that matches, waiting for it. */
    public ChatReaction reaction(Predicate<ChatReaction> p) throws InterruptedException {
        return await(ChatReaction.class, p, "reaction");
    }

    /** The reactions so far, added and removed, in order. */
    public List<ChatReaction> reactions() {
        return all.stream().filter(ChatReaction.class::isInstance).map(ChatReaction.class::cast).toList();
    }

    /** The first report of state {@code s}, waiting for it. */
    public ConnectionChanged state(ConnectionChanged.State s) throws InterruptedException {
        return await(ConnectionChanged.class, c -> c.state() == s, s.toString());
    }

    /** The messages so far. */
    public List<ChatMessage> messages() {
        return all.stream().filter(ChatMessage.class::isInstance).map(ChatMessage.class::cast).toList();
    }

    /** The connection states reported so far, in order. */
    public List<ConnectionChanged.State> states() {
        return all.stream().filter(ConnectionChanged.class::isInstance).map(e -> ((ConnectionChanged) e).state())
                .toList();
    }

    private synchronized <T extends ChatEvent> T await(Class<T> type, Predicate<T> p, String what)
            throws InterruptedException {
        return type.cast(Await.first(this, all, e -> type.isInstance(e) && p.test(type.cast(e)), WAIT,
                () -> "no " + what + " within " + WAIT + "; events: " + all));
    }
}
