package org.buildduty.core.time;

import java.time.Instant;

/**
 * A source of the current time, injected everywhere time matters so tests can advance it by hand.
 *
 * <p>Approval expiry, step timeouts, stuck detection and schedules all read this, never the system clock.
 */
@FunctionalInterface
public interface Ticker {
    /** The current instant. */
    Instant now();

    /** The system clock. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public Instant now() {
        return Instant.now();
    }
}
