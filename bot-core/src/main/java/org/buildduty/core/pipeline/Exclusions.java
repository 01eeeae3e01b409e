package org.buildduty.core.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;

/**
 * Who holds what, and who waits for it. An operation holds its {@linkplain Exclusion#keys keys} from its approval (or
 * its creation, when it needs none) until it ends; an operation that needs a key held by another waits in request
 * (id) order, and never overtakes an earlier waiting operation that needs one of the same keys. An operation that
 * holds no key is never tracked here.
 */
final class Exclusions {
    /** A holder, or a waiting operation, with its keys and since when it holds or waits. */
    record Entry(Operation op, Set<String> keys, Instant since) {
        boolean shares(Set<String> others) {
            for (String k : others) {
                if (keys.contains(k)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Map<OperationId, Entry> holders = new LinkedHashMap<>();
    private final TreeMap<OperationId, Entry> waiting = new TreeMap<>();

    /**
     * What is in the way of {@code op} now: the holders that share a key with it, then the operations waiting before
     * it (lower id) that share one. Empty when it may hold its keys.
     */
    synchronized List<Entry> blockers(Operation op) {
        return blockers(op.id(), Exclusion.keys(op.plan()));
    }

    /**
     * What would be in the way of a new request holding {@code keys} ({@code self} null: it is not created yet, so
     * every waiting operation is before it).
     */
    synchronized List<Entry> blockers(OperationId self, Set<String> keys) {
        List<Entry> out = new ArrayList<>();
        if (keys.isEmpty()) {
            return out;
        }
        for (Entry h : holders.values()) {
            if (!h.op().id().equals(self) && h.shares(keys)) {
                out.add(h);
            }
        }
        for (Entry w : (self == null ? waiting : waiting.headMap(self, false)).values()) {
            if (w.shares(keys)) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Holds the keys of {@code op} when nothing is in its way and returns an empty list; otherwise queues it (since
     * {@code now}) and returns what is in its way.
     */
    synchronized List<Entry> holdOrQueue(Operation op, Instant now) {
        List<Entry> in = blockers(op);
        if (in.isEmpty()) {
            hold(op, now);
        } else {
            waiting.put(op.id(), new Entry(op, Exclusion.keys(op.plan()), now));
        }
        return in;
    }

    /** Holds the keys of {@code op} whatever else holds them (after a restart: an operation that was running). */
    synchronized void hold(Operation op, Instant since) {
        Set<String> keys = Exclusion.keys(op.plan());
        if (!keys.isEmpty()) {
            waiting.remove(op.id());
            holders.put(op.id(), new Entry(op, keys, since));
        }
    }

    /** Queues {@code op} without looking (after a restart: an operation that was waiting). */
    synchronized void queue(Operation op, Instant since) {
        waiting.put(op.id(), new Entry(op, Exclusion.keys(op.plan()), since));
    }

    /** Takes a waiting operation out of the queue (it was cancelled); false if it was not waiting. */
    synchronized boolean dequeue(OperationId id) {
        return waiting.remove(id) != null;
    }

    /** Since when a waiting operation waits. */
    synchronized Optional<Instant> waitingSince(OperationId id) {
        return Optional.ofNullable(waiting.get(id)).map(Entry::since);
    }

    /** Releases what {@code id} held (nothing happens if it held nothing). */
    synchronized void release(OperationId id) {
        holders.remove(id);
    }

    /**
     * The waiting operations that may start now, in request order, each moved from the queue to the holders (so the
     * caller must start them all): an operation starts when no holder and no earlier waiting operation needs one of
     * its keys.
     */
    synchronized List<Entry> startable(Instant now) {
        List<Entry> out = new ArrayList<>();
        Set<String> ahead = new LinkedHashSet<>();
        Iterator<Entry> it = waiting.values().iterator();
        while (it.hasNext()) {
            Entry w = it.next();
            boolean free = !w.shares(ahead);
            if (free) {
                for (Entry h : holders.values()) {
                    if (h.shares(w.keys())) {
                        free = false;
                        break;
                    }
                }
            }
            if (free) {
                it.remove();
                holders.put(w.op().id(), new Entry(w.op(), w.keys(), now));
                out.add(w);
            } else {
                ahead.addAll(w.keys());
            }
        }
        return out;
    }

    /** What a waiting operation waits for now; empty if it does not wait. */
    synchronized List<Entry> waitsFor(OperationId id) {
        Entry w = waiting.get(id);
        return w == null ? List.of() : blockers(w.op());
    }
}
