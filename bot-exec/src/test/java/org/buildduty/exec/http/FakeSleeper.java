package org.buildduty.exec.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.time.Sleeper;

/**
 * A sleeper that never sleeps: it records each wait, advances a fake ticker by it, then runs a hook (with the number
 * of waits so far) where a test changes the world or checks the runner's timers. Thread-safe.
 */
final class FakeSleeper implements Sleeper {
    private final FakeTicker ticker;
    private final List<Duration> sleeps = new ArrayList<>();
    private volatile IntConsumer afterEach = n -> { };

    FakeSleeper(FakeTicker ticker) {
        this.ticker = ticker;
    }

    /** Runs {@code hook} after each wait, with the count of waits so far. */
    FakeSleeper afterEach(IntConsumer hook) {
        this.afterEach = hook;
        return this;
    }

    @Override
    public boolean sleep(Duration duration, CountDownLatch wake) {
        if (wake.getCount() == 0) {
            return false;
        }
        int n;
        synchronized (this) {
            sleeps.add(duration);
            n = sleeps.size();
        }
        ticker.advance(duration);
        afterEach.accept(n);
        return wake.getCount() > 0;
    }

    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}
