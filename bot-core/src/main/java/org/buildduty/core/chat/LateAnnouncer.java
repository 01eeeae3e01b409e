package org.buildduty.core.chat;

import java.util.Objects;

import org.buildduty.core.UnknownTargetException;

/**
 * An {@link Announcer} bound after it is handed out: step executors are built before the engine that announces, so
 * they get this holder, and the engine is bound into it once built. Until then every call is refused with one line.
 */
public final class LateAnnouncer implements Announcer {
    private volatile Announcer target;

    /** Binds the real announcer; calls before this are refused. */
    public void bind(Announcer announcer) {
        this.target = Objects.requireNonNull(announcer, "announcer");
    }

    @Override
    public ChatAddress resolve(String target, String fromConnectorId) {
        return bound().resolve(target, fromConnectorId);
    }

    @Override
    public void announce(ChatAddress to, String text) {
        bound().announce(to, text);
    }

    private Announcer bound() {
        Announcer a = target;
        if (a == null) {
            throw new UnknownTargetException("announcements are not available: the bot has no connectors yet");
        }
        return a;
    }
}
