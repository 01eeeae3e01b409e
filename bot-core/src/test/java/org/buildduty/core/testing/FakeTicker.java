package org.buildduty.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.buildduty.core.time.Ticker;

/** A ticker that moves only when a test advances it. Thread-safe. */
public final class FakeTicker implements Ticker {
    private final AtomicReference<Instant> now;

    public FakeTicker() {
        this(Instant.parse("2026-11-21T10:00:00Z"));
    }

    public FakeTicker(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant now() {
        return now.get();
    }

    /** Moves time forward. */
    public FakeTicker advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
        return this;
    }
}
