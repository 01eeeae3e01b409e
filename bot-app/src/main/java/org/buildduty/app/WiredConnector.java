package org.buildduty.app;

import java.util.Objects;
import java.util.function.Consumer;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.chat.MessageRef;

/**
 * A connector as the bot wires it: before each message is sent or edited, {@code guard} runs (a leader's halts the
 * process if this instance no longer holds its lease, so a paused or cut-off leader sends no line after a standby
 * could have taken over), and each change of its connection is shown to {@code connections} before the engine sees
 * it. Everything else is the wrapped connector's.
 */
final class WiredConnector implements Connector {
    private final Connector inner;
    private final Runnable guard;
    private final Consumer<ConnectionChanged> connections;

    WiredConnector(Connector inner, Runnable guard, Consumer<ConnectionChanged> connections) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public void start(ChatEvent.Listener listener) {
        inner.start(event -> {
            if (event instanceof ConnectionChanged changed) {
                connections.accept(changed);
            }
            listener.onEvent(event);
        });
    }

    @Override
    public MessageRef send(ChatAddress to, String text) {
        guard.run();
        return inner.send(to, text);
    }

    @Override
    public MessageRef startThread(ChatAddress room, String title, String text, String rootMessageId) {
        guard.run();
        return inner.startThread(room, title, text, rootMessageId);
    }

    @Override
    public void edit(MessageRef ref, String text) {
        guard.run();
        inner.edit(ref, text);
    }

    @Override
    public boolean takes(ChatAddress to) {
        return inner.takes(to);
    }

    @Override
    public void useMeters(ConnectorMeters meters) {
        inner.useMeters(meters);
    }

    @Override
    public boolean healthy() {
        return inner.healthy();
    }

    @Override
    public void close() {
        inner.close();
    }
}
