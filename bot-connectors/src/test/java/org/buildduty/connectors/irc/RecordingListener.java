package org.buildduty.connectors.irc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;

/** Records what a connector reports, and waits for messages and connection states. */
final class RecordingListener implements ChatEvent.Listener {
    private static final Duration WAIT = Duration.ofSeconds(15);

    final List<ChatEvent> all = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(ChatEvent event) {
        synchronized (this) {
            all.add(event);
            notifyAll();
        }
    }

    ChatMessage message(Predicate<ChatMessage> p) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        synchronized (this) {
            while (true) {
                for (ChatEvent e : all) {
                    if (e instanceof ChatMessage m && p.test(m)) {
                        return m;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such message; events: " + all);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    ConnectionChanged state(ConnectionChanged.State s) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        synchronized (this) {
            while (true) {
                for (ChatEvent e : all) {
                    if (e instanceof ConnectionChanged c && c.state() == s) {
                        return c;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + s + "; events: " + all);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    List<ConnectionChanged.State> states() {
        List<ConnectionChanged.State> out = new ArrayList<>();
        for (ChatEvent e : all) {
            if (e instanceof ConnectionChanged c) {
                out.add(c.state());
            }
        }
        return out;
    }
}
