package org.buildduty.commands.mbs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.journal.JournalException;

/**
 * The {@code mbs watch} threads: one poller per module build however many rooms watch it, polling at an adaptive
 * interval (fast while the build is in {@code build}, slower in {@code init}/{@code wait}, doubling on errors), and
 * posting to every watching room only what changed. A failed poll is reported once per outage. Watches are journal
 * records (kind {@value WatchRecord#KIND}), written before the lines they cause are posted, so after a restart
 * {@link #start} resumes them and posts what changed meanwhile as a catch-up.
 *
 * <pre>{@code
 * MbsWatches watches = MbsWatches.of(client, "https://mbs.fedoraproject.org", MbsWatches.Settings.defaults());
 * MbsWatchCommands.register(registry, watches);
 * engineBuilder.service(watches);
 * }</pre>
 */
public final class MbsWatches implements BotService {
    private static final Logger LOG = LoggerFactory.getLogger(MbsWatches.class);
    /** Polls in flight at once at most (each waits on the network). */
    static final int POLL_THREADS = 8;

    /**
     * Poll intervals.
     *
     * @param building between polls while the build is in {@code build}
     * @param idle between polls in {@code init} or {@code wait}
     * @param maxBackoff the longest delay after consecutive failed polls (each doubles the delay)
     */
    public record Settings(Duration building, Duration idle, Duration maxBackoff) {
        public Settings {
            if (building.isNegative() || building.isZero() || idle.isNegative() || idle.isZero()
                    || maxBackoff.compareTo(building) < 0) {
                throw new IllegalArgumentException("poll intervals must be positive and the backoff at least the "
                        + "building interval");
            }
        }

        /** 30 s while building, 2 min while waiting, backoff up to 10 min. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10));
        }
    }

    private final MbsClient client;
    private final String instance;
    private final Settings settings;
    private final Executor polls;
    private final ExecutorService owned;
    private final Map<Long, Watch> watches = new TreeMap<>();
    private volatile BotApi bot;

    /**
     * A service polling {@code client}; {@code polls} runs each poll (a small pool; {@code Runnable::run} in tests).
     *
     * @param instance the MBS base URL, which keys the journal records
     */
    public MbsWatches(MbsClient client, String instance, Settings settings, Executor polls) {
        this(client, instance, settings, polls, null);
    }

    private MbsWatches(MbsClient client, String instance, Settings settings, Executor polls, ExecutorService owned) {
        this.client = Objects.requireNonNull(client, "client");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.polls = Objects.requireNonNull(polls, "polls");
        this.owned = owned;
    }

    /** A service with its own pool of {@value #POLL_THREADS} polling threads, shut down by {@link #close()}. */
    public static MbsWatches of(MbsClient client, String instance, Settings settings) {
        ExecutorService pool = Executors.newFixedThreadPool(POLL_THREADS, r -> {
            Thread t = new Thread(r, "buildduty-mbs-watch");
            t.setDaemon(true);
            return t;
        });
        return new MbsWatches(client, instance, settings, pool, pool);
    }

    /** The journal key of the record of a watched build. */
    public static String recordKey(String instance, long id) {
        return WatchRecord.key(instance, id);
    }

    /** The journal kind of the records. */
    public static String recordKind() {
        return WatchRecord.KIND;
    }

    /**
     * A record of a build watched by {@code rooms} whose threads are not opened yet, as the journal stores it: the
     * service opens each room's thread with the first message when it resumes. For tools that pre-seed a journal.
     */
    public static String newRecord(String instance, long id, List<ChatAddress> rooms) {
        List<Subscriber> subs = rooms.stream().map(r -> new Subscriber(r, null, false, "")).toList();
        return new WatchRecord(instance, id, subs, Snapshot.NONE).encode();
    }

    @Override
    public String name() {
        return "mbs-watch";
    }

    /** Builds being polled. */
    public synchronized int polled() {
        return watches.size();
    }

    @Override
    public void start(BotApi api) {
        this.bot = api;
        Instant now = api.ticker().now();
        for (Map.Entry<String, String> e : api.stateRecords().states(WatchRecord.KIND).entrySet()) {
            WatchRecord r;
            try {
                r = WatchRecord.decode(e.getValue());
            } catch (IllegalArgumentException ex) {
                LOG.warn("skipping the malformed mbs watch record {}: {}", e.getKey(), ex.getMessage());
                continue;
            }
            if (!r.instance().equals(instance) || r.subscribers().isEmpty()) {
                continue;
            }
            Watch w = new Watch(r.id(), r.last(), now);
            w.subscribers.addAll(r.subscribers());
            w.catchUp = !r.last().empty();
            synchronized (this) {
                watches.put(w.id, w);
            }
        }
        LOG.info("resuming {} mbs watches", polled());
    }

    @Override
    public void tick() {
        BotApi api = bot;
        if (api == null) {
            return;
        }
        Instant now = api.ticker().now();
        List<Watch> due = new ArrayList<>();
        synchronized (this) {
            for (Watch w : watches.values()) {
                if (!w.inFlight && !now.isBefore(w.nextPoll)) {
                    w.inFlight = true;
                    due.add(w);
                }
            }
        }
        for (Watch w : due) {
            try {
                polls.execute(() -> poll(w));
            } catch (RejectedExecutionException e) {
                w.inFlight = false;
            }
        }
    }

    /**
     * {@code mbs watch <id>} from a message: opens the room's thread with the first message and subscribes it, or
     * answers with one line (already watching, unknown build, build already ended, journal refused).
     */
    public List<String> watch(ChatMessage request, long id, BotApi api) {
        if (bot == null) {
            bot = api;
        }
        ChatAddress room = request.room();
        synchronized (this) {
            Watch w = watches.get(id);
            if (w != null && w.find(room) != null) {
                return List.of("already watching " + WatchReport.title(id) + " here");
            }
        }
        ModuleBuild b;
        try {
            b = client.build(id);
        } catch (MbsException e) {
            return List.of(e.status() == 404 ? e.getMessage() : "cannot watch " + WatchReport.title(id) + ": "
                    + e.getMessage());
        }
        if (b.terminal()) {
            return List.of(WatchReport.summary(b));
        }
        Subscriber pending = new Subscriber(room, null, false, request.sender().principal());
        synchronized (this) {
            Watch w = watches.get(id);
            if (w != null && w.find(room) != null) {
                return List.of("already watching " + WatchReport.title(id) + " here");
            }
            Watch target = w != null ? w : new Watch(id, Snapshot.of(b), api.ticker().now().plus(interval(b.state())));
            target.subscribers.add(pending);
            try {
                api.stateRecords().putState(WatchRecord.KIND, WatchRecord.key(instance, id), target.record(instance)
                        .encode());
            } catch (JournalException e) {
                target.subscribers.remove(pending);
                return List.of("refused: the journal cannot record the watch (" + e.getMessage() + "); not watching "
                        + WatchReport.title(id));
            }
            watches.putIfAbsent(id, target);
        }
        ChatAddress thread = open(api, room, id, WatchReport.first(b), request.messageId());
        replace(id, pending, new Subscriber(room, thread, thread.thread() == null, pending.by()));
        return thread.equals(room) ? List.of() : List.of("watching " + WatchReport.title(id) + " in its thread");
    }

    /** {@code mbs unwatch <id>}: one line; the last room gone ends the poller and its record. */
    public String unwatch(ChatAddress where, long id) {
        synchronized (this) {
            Watch w = watches.get(id);
            Subscriber s = w == null ? null : w.find(where);
            if (s == null) {
                return "not watching " + WatchReport.title(id) + " here";
            }
            w.subscribers.remove(s);
            if (w.subscribers.isEmpty()) {
                watches.remove(id);
            }
            persist(w);
            int others = w.subscribers.size();
            return "stopped watching " + WatchReport.title(id) + " here" + (others == 0 ? ""
                    : " (" + others + (others == 1 ? " other room watches" : " other rooms watch") + " it)");
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdownNow();
        }
    }

    private void poll(Watch w) {
        try {
            ModuleBuild b;
            try {
                b = client.fetch(w.id);
            } catch (MbsException e) {
                failed(w, e);
                return;
            }
            succeeded(w, b);
        } catch (RuntimeException e) {
            LOG.error("polling mbs #{} failed", w.id, e);
        } finally {
            w.inFlight = false;
        }
    }

    private synchronized void failed(Watch w, MbsException e) {
        if (watches.get(w.id) != w) {
            return;
        }
        w.errors++;
        w.nextPoll = bot.ticker().now().plus(w.delay(interval(w.last.state()), settings.maxBackoff()));
        if (!w.down) {
            w.down = true;
            String line = e.transientFailure() ? "MBS is not answering (" + e.getMessage() + "); still watching"
                    : "MBS cannot give " + WatchReport.title(w.id) + " (" + e.getMessage() + "); still watching";
            post(w, List.of(line));
        }
    }

    private void succeeded(Watch w, ModuleBuild b) {
        List<Subscriber> unopened = new ArrayList<>();
        synchronized (this) {
            if (watches.get(w.id) != w) {
                return;
            }
            List<String> lines = new ArrayList<>();
            if (w.down) {
                lines.add("MBS answers again");
            }
            w.down = false;
            w.errors = 0;
            Snapshot now = Snapshot.of(b);
            List<String> changes = w.last.empty() ? (b.terminal() ? List.of(WatchReport.summary(b)) : List.of())
                    : WatchReport.changes(w.last, b, client::taskUrl);
            for (String c : changes) {
                lines.add(w.catchUp ? "while I was away: " + c : c);
            }
            w.catchUp = false;
            boolean changed = !now.equals(w.last);
            w.last = now;
            // Keep the cadence of the plan (a poll's own latency does not stretch the interval), unless late.
            Instant at = bot.ticker().now();
            Instant planned = w.nextPoll.plus(interval(b.state()));
            w.nextPoll = planned.isAfter(at) ? planned : at.plus(interval(b.state()));
            for (Subscriber s : w.subscribers) {
                if (s.thread() == null) {
                    unopened.add(s);
                }
            }
            if (b.terminal()) {
                watches.remove(w.id);
                w.subscribers.removeAll(unopened);
                persistRemoved(w);
            } else if (changed) {
                persist(w);
            }
            post(w, lines);
        }
        for (Subscriber s : unopened) {
            ChatAddress thread = open(bot, s.room(), w.id, b.terminal() ? WatchReport.summary(b)
                    : WatchReport.first(b), null);
            if (!b.terminal()) {
                replace(w.id, s, new Subscriber(s.room(), thread, thread.thread() == null, s.by()));
            }
        }
    }

    private ChatAddress open(BotApi api, ChatAddress room, long id, String first, String rootMessageId) {
        try {
            return api.announcer().openThread(room, WatchReport.title(id), first, rootMessageId);
        } catch (RuntimeException e) {
            LOG.warn("opening the thread of mbs #{} in {} failed: {}", id, room, e.toString());
            return room;
        }
    }

    /** Swaps a subscriber for its opened form, if the watch still has it, and stores the record. */
    private synchronized void replace(long id, Subscriber old, Subscriber opened) {
        Watch w = watches.get(id);
        int i = w == null ? -1 : w.subscribers.indexOf(old);
        if (i >= 0) {
            w.subscribers.set(i, opened);
            persist(w);
        }
    }

    /** Stores the record of a watch, or removes it once no room watches; a journal failure is only logged. */
    private void persist(Watch w) {
        if (w.subscribers.isEmpty()) {
            persistRemoved(w);
            return;
        }
        try {
            bot.stateRecords().putState(WatchRecord.KIND, WatchRecord.key(instance, w.id), w.record(instance).encode());
        } catch (JournalException e) {
            LOG.error("cannot store the mbs watch of #{}: {}", w.id, e.getMessage());
        }
    }

    private void persistRemoved(Watch w) {
        try {
            bot.stateRecords().removeState(WatchRecord.KIND, WatchRecord.key(instance, w.id));
        } catch (JournalException e) {
            LOG.error("cannot remove the mbs watch of #{}: {}", w.id, e.getMessage());
        }
    }

    /** Posts lines to every opened subscriber, prefixed with the build where the chat has no threads. */
    private void post(Watch w, List<String> lines) {
        for (Subscriber s : w.subscribers) {
            if (s.thread() == null) {
                continue;
            }
            for (String line : lines) {
                try {
                    bot.announcer().announce(s.thread(), WatchReport.cut(s.prefixed() ? "[mbs " + w.id + "] " + line
                            : line));
                } catch (RuntimeException e) {
                    LOG.warn("posting to {} about mbs #{} failed: {}", s.thread(), w.id, e.toString());
                }
            }
        }
    }

    private Duration interval(int state) {
        return state == 2 ? settings.building() : settings.idle();
    }
}
