package org.buildduty.connectors.zulip;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.buildduty.core.time.Sleeper;

/** Records the waits asked for and waits only a few milliseconds, so tests never wait out a backoff. */
final class RecordingSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Override
    public boolean sleep(Duration d, CountDownLatch wake) throws InterruptedException {
        waits.add(d);
        return !wake.await(Math.min(d.toMillis(), 10), TimeUnit.MILLISECONDS);
    }
}
