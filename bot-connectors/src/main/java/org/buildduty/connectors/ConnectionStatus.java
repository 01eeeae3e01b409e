package org.buildduty.connectors;

import java.time.Duration;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ConnectionChanged;

/**
 * The connection state a connector reports, shared by every network connector: the listener it was started with,
 * the current {@link ConnectionChanged.State} and its one-line detail, and whether it was closed. A change is told to
 * the listener first, then recorded, so whoever {@link #awaitConnected} returns to has seen the event.
 */
public final class ConnectionStatus {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionStatus.class);

    private final String chat;
    private final String id;
    private final Object lock = new Object();
    private volatile ChatEvent.Listener listener;
    private volatile boolean closed;
    private ConnectionChanged.State state;
    private String detail = "not started";

    /** The status of connector {@code id} on a chat named {@code chat} ("IRC", "Matrix") in messages. */
    public ConnectionStatus(String chat, String id) {
        this.chat = chat;
        this.id = id;
    }

    /** Takes the listener; a second start throws. */
    public void start(ChatEvent.Listener l) {
        Objects.requireNonNull(l, "listener");
        synchronized (lock) {
            if (listener != null) {
                throw new IllegalStateException(id + " already started");
            }
            listener = l;
        }
    }

    /** Hands an event to the listener; a listener's failure is logged, never thrown back at the connector. */
    public void emit(ChatEvent e) {
        ChatEvent.Listener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.onEvent(e);
        } catch (RuntimeException ex) {
            LOG.error("{}: listener failed on {}", id, e, ex);
        }
    }

    /** Logs, tells the listener, then records a new state. */
    public void change(ConnectionChanged.State next, String why) {
        change(next, why, 0);
    }

    /** The same, with the count of chat lines dropped since the last report. */
    public void change(ConnectionChanged.State next, String why, long droppedLines) {
        // INFO: the engine journals the change and the bot tells the operator about it once
        LOG.info("{}: {} {}", id, next, why);
        emit(new ConnectionChanged(id, next, why, droppedLines));
        synchronized (lock) {
            state = next;
            detail = why;
            lock.notifyAll();
        }
    }

    /** The last state recorded, or null before the first. */
    public ConnectionChanged.State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** True while not closed and not failed for good. */
    public boolean healthy() {
        synchronized (lock) {
            return !closed && state != ConnectionChanged.State.FAILED;
        }
    }

    /** True once {@link #markClosed} was called. */
    public boolean closed() {
        return closed;
    }

    /** Marks the connector closed; false if it already was, so close runs once. */
    public boolean markClosed() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            lock.notifyAll();
            return true;
        }
    }

    /**
     * Waits for {@link ConnectionChanged.State#CONNECTED}. Throws {@link BuilddutyException} with a one-line reason if
     * the connector failed for good or was closed, or did not connect within {@code timeout}.
     */
    public void awaitConnected(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (state != ConnectionChanged.State.CONNECTED) {
                if (state == ConnectionChanged.State.FAILED || closed) {
                    throw new BuilddutyException(chat + " " + id + ": " + detail);
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new BuilddutyException(chat + " " + id + ": not connected after " + timeout.toSeconds()
                            + " s (" + detail + ")");
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BuilddutyException("interrupted waiting for " + chat + " " + id, e);
                }
            }
        }
    }
}
