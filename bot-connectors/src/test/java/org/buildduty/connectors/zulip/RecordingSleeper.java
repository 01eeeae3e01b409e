package org.buildduty.connectors.zulip;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the waits asked for and waits only a few milliseconds, so tests never wait out a backoff. */
final class RecordingSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Override
    public void sleep(Duration d) throws InterruptedException {
        waits.add(d);
        Thread.sleep(Math.min(d.toMillis(), 10));
    }
}
