package org.buildduty.connectors.zulip;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;

/** Records what a connector reports, and waits for messages and connection states. */
final class RecordingEvents implements ChatEvent.Listener {
    private static final Duration WAIT = Duration.ofSeconds(10);

    final List<ChatEvent> all = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void onEvent(ChatEvent event) {
        all.add(event);
        notifyAll();
    }

    List<ChatMessage> messages() {
        return all.stream().filter(ChatMessage.class::isInstance).map(ChatMessage.class::cast).toList();
    }

    ChatMessage message(Predicate<ChatMessage> p) throws InterruptedException {
        return (ChatMessage) await(e -> e instanceof ChatMessage m && p.test(m));
    }

    ConnectionChanged state(ConnectionChanged.State s) throws InterruptedException {
        return (ConnectionChanged) await(e -> e instanceof ConnectionChanged c && c.state() == s);
    }

    private synchronized ChatEvent await(Predicate<ChatEvent> p) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (ChatEvent e : all) {
                if (p.test(e)) {
                    return e;
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no such event; events: " + all);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
