package org.buildduty.connectors.zulip;

import java.time.Duration;

/** Waits between calls (a 429's {@code retry-after}, a backoff); injected so tests need not wait. */
@FunctionalInterface
interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /** Real waiting. */
    static Sleeper system() {
        return d -> Thread.sleep(Math.max(0, d.toMillis()));
    }
}
