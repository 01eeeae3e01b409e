package org.buildduty.connectors.irc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.buildduty.core.time.Backoff;

/**
 * The configured channels the bot was kicked or removed from, and when to join each again: after a delay that
 * doubles with each removal in a row (up to {@link #MAX}), and starts over once the bot has stayed in the channel
 * for {@link #SETTLED}. A join refused while rejoining (banned, invite only, wrong key) counts as one more removal.
 * Not thread-safe: the session calls it under its own lock.
 */
final class Rejoins {
    static final Duration MAX = Duration.ofMinutes(5);
    static final Duration SETTLED = Duration.ofMinutes(10);

    private record Pending(String joinCommand, Instant at) {
    }

    private final Duration first;
    /** The delays after the first removal; null when {@code first} is zero (rejoin at once, always). */
    private final Backoff backoff;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** Removals in a row per channel, the first one counting 0. */
    private final Map<String, Integer> removals = new HashMap<>();
    private final Map<String, Instant> joinedAt = new HashMap<>();

    Rejoins(Duration first) {
        this.first = first;
        this.backoff = first.isNegative() || first.isZero() ? null : Backoff.doubling(first, MAX);
    }

    /** The bot is out of {@code channel}; returns the delay before {@code joinCommand} goes out. */
    Duration left(String channel, String joinCommand, Instant now) {
        String key = IrcLine.fold(channel);
        Instant since = joinedAt.remove(key);
        Integer before = removals.get(key);
        int n = before == null || since != null && !now.isBefore(since.plus(SETTLED)) ? 0 : Math.min(before + 1, 1_000);
        Duration delay = n == 0 || backoff == null ? first : backoff.delay(n);
        removals.put(key, n);
        pending.put(key, new Pending(joinCommand, now.plus(delay)));
        return delay;
    }

    /** True while {@code channel} is being rejoined (a JOIN went out or waits). */
    boolean rejoining(String channel) {
        String key = IrcLine.fold(channel);
        return removals.containsKey(key) && !joinedAt.containsKey(key);
    }

    /** The bot is in {@code channel} again. */
    void joined(String channel, Instant now) {
        String key = IrcLine.fold(channel);
        pending.remove(key);
        joinedAt.put(key, now);
    }

    /** Removes and returns the JOIN commands that are due. */
    List<String> due(Instant now) {
        List<String> out = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext();) {
            Pending p = it.next();
            if (!now.isBefore(p.at())) {
                out.add(p.joinCommand());
                it.remove();
            }
        }
        return out;
    }
}
