package org.buildduty.commands.mbs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.time.Backoff;

/**
 * One poller: a watched build, the rooms that watch it, what was last seen, and when to poll next. Guarded by the
 * {@link MbsWatches} lock, except {@link #inFlight}, which only the ticking thread sets and the poll clears.
 */
final class Watch {
    final long id;
    final List<Subscriber> subscribers = new ArrayList<>();
    Snapshot last;
    Instant nextPoll;
    /** Consecutive failed polls. */
    int errors;
    /** True once "MBS is not answering" was posted, until it answers again. */
    boolean down;
    /** True after a restart until the first successful poll: its lines are a catch-up. */
    boolean catchUp;
    volatile boolean inFlight;

    Watch(long id, Snapshot last, Instant nextPoll) {
        this.id = id;
        this.last = last;
        this.nextPoll = nextPoll;
    }

    Subscriber find(ChatAddress where) {
        for (Subscriber s : subscribers) {
            if (s.matches(where)) {
                return s;
            }
        }
        return null;
    }

    /** The delay before the next poll: {@code normal} when fine, doubled per consecutive error up to {@code max}. */
    Duration delay(Duration normal, Duration max) {
        if (errors == 0) {
            return normal;
        }
        return Backoff.doubling(normal, max).delay(errors);
    }

    WatchRecord record(String instance) {
        return new WatchRecord(instance, id, subscribers, last);
    }
}
