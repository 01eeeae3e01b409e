package org.buildduty.connectors.matrix;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.buildduty.core.time.Sleeper;

/** Records every wait asked for and really waits only a few milliseconds (still woken early by the latch). */
final class RecordingSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Override
    public boolean sleep(Duration duration, CountDownLatch wake) throws InterruptedException {
        waits.add(duration);
        return !wake.await(Math.min(Math.max(duration.toMillis(), 0), 10), TimeUnit.MILLISECONDS);
    }
}
