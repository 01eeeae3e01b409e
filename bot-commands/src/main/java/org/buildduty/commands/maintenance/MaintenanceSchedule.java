package org.buildduty.commands.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.commands.maintenance.Maintenance.Notice;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.parse.Sanitize;

/**
 * Scheduled maintenance windows: announced when created, a reminder before the start, then the start and the end,
 * each to every target of the window. Records live in the journal (kind {@value #KIND}), and each notice is marked
 * sent there before it is announced, so a restart never repeats one; notices that fell due while the bot was down go
 * out at once and say they are late. Over or cancelled windows stay listed for {@link #KEEP}, then are removed.
 *
 * <pre>{@code
 * MaintenanceSchedule schedule = new MaintenanceSchedule();
 * MaintenanceCommands.register(registry, schedule);
 * Engine.builder()...service(schedule).build();
 * }</pre>
 */
public final class MaintenanceSchedule implements BotService {
    /** The journal kind of the records. */
    public static final String KIND = "maintenance";
    /** How long a window stays listed after it ended or was cancelled. */
    public static final Duration KEEP = Duration.ofHours(24);

    static final String NEXT_ID = "next-id";
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceSchedule.class);
    /** A notice this much after its time says it is late. */
    private static final Duration LATE = Duration.ofMinutes(1);
    /** After a journal failure on a tick, the next try waits this long. */
    private static final Duration RETRY = Duration.ofSeconds(30);

    private final Map<Long, Maintenance> records = new TreeMap<>();
    private BotApi bot;
    private Instant startedAt;
    private Instant retryAfter = Instant.MIN;
    private boolean loaded;

    @Override
    public String name() {
        return "maintenance";
    }

    @Override
    public synchronized void start(BotApi api) {
        this.bot = api;
        this.startedAt = api.ticker().now();
        load();
    }

    /** Reads the records from the journal; on a journal failure, the next ticks try again. */
    private boolean load() {
        try {
            Map<Long, Maintenance> read = new TreeMap<>();
            for (Map.Entry<String, String> e : bot.stateRecords().states(KIND).entrySet()) {
                if (e.getKey().equals(NEXT_ID)) {
                    continue;
                }
                try {
                    Maintenance m = Maintenance.fromJson(e.getValue());
                    read.put(m.id(), m);
                } catch (IllegalArgumentException ex) {
                    LOG.error("maintenance record {} is unreadable and is ignored: {}", e.getKey(), ex.getMessage());
                }
            }
            records.clear();
            records.putAll(read);
            loaded = true;
            LOG.info("maintenance: {} windows resumed from the journal", records.size());
        } catch (JournalException e) {
            retryAfter = bot.ticker().now().plus(RETRY);
            LOG.error("maintenance: cannot read the journal; retrying in {}s", RETRY.getSeconds(), e);
        }
        return loaded;
    }

    @Override
    public synchronized void tick() {
        if (bot == null) {
            return;
        }
        Instant now = bot.ticker().now();
        if (now.isBefore(retryAfter) || !loaded && !load()) {
            return;
        }
        try {
            for (Maintenance m : new ArrayList<>(records.values())) {
                step(m, now);
            }
        } catch (JournalException e) {
            retryAfter = now.plus(RETRY);
            LOG.error("maintenance: the journal cannot record a notice; retrying in {}s", RETRY.getSeconds(), e);
        }
    }

    @Override
    public synchronized void close() {
        bot = null;
        loaded = false;
        records.clear();
    }

    /** Sends what is due for one window, at most one notice per tick; removes it when it has been over long. */
    private void step(Maintenance m, Instant now) {
        if (m.over()) {
            Instant overAt = m.cancelled() ? m.cancelledAt() : m.end();
            if (!now.isBefore(overAt.plus(KEEP))) {
                bot.stateRecords().removeState(KIND, Maintenance.key(m.id()));
                records.remove(m.id());
            }
            return;
        }
        String window = MaintenanceTimes.window(m.start(), m.end(), now);
        if (!now.isBefore(m.end())) {
            if (!m.wasSent(Notice.START)) {
                send(m.marking(Notice.REMINDER, Notice.START, Notice.END), "Maintenance " + m.id() + " ("
                        + m.title() + ", " + window + ") " + (m.start().isBefore(startedAt)
                        ? "started and ended while the bot was down; it is over"
                        : "is over; its start could not be announced in time"));
            } else {
                send(m.marking(Notice.END), "Maintenance " + m.id() + " is over: " + m.title() + " (" + window
                        + ")" + late(m.end(), now));
            }
        } else if (!now.isBefore(m.start())) {
            if (!m.wasSent(Notice.START)) {
                send(m.marking(Notice.REMINDER, Notice.START), "Maintenance " + m.id() + " starting now: "
                        + m.title() + ", until " + MaintenanceTimes.time(m.end(), now) + late(m.start(), now));
            }
        } else if (!m.remind().isZero() && !m.wasSent(Notice.REMINDER)
                && !now.isBefore(m.start().minus(m.remind()))) {
            send(m.marking(Notice.REMINDER), "Maintenance " + m.id() + " starts "
                    + MaintenanceTimes.relative(m.start(), now) + " (" + window + "): " + m.title()
                    + late(m.start().minus(m.remind()), now));
        }
    }

    /** " (late by 12m: the bot was down)" when {@code due} is more than a minute ago, else "". */
    private String late(Instant due, Instant now) {
        Duration by = Duration.between(due, now);
        if (by.compareTo(LATE) < 0) {
            return "";
        }
        return " (late by " + MaintenanceTimes.minutes(by) + (due.isBefore(startedAt) ? ": the bot was down" : "")
                + ")";
    }

    /** Journals the record with its notice marked sent, then announces the notice to every target. */
    private void send(Maintenance marked, String text) {
        bot.stateRecords().putState(KIND, Maintenance.key(marked.id()), marked.toJson());
        records.put(marked.id(), marked);
        announce(marked, text);
    }

    private void announce(Maintenance m, String text) {
        Announcer announcer = bot.announcer();
        String line = Sanitize.forDisplay(text, Announcer.MAX_TEXT);
        for (ChatAddress to : m.targets()) {
            try {
                announcer.announce(to, line);
            } catch (RuntimeException e) {
                LOG.warn("maintenance {}: cannot announce in {}: {}", m.id(), to, e.getMessage());
            }
        }
    }

    // ---- what the commands call ----

    /** What {@code maintenance} asked for, its targets resolved. */
    record Request(String title, Instant start, Duration duration, Duration remind, List<ChatAddress> targets,
            String requester, String requesterName, ChatAddress origin) {
    }

    /**
     * Allocates an id, journals the window and announces it. The reminder is skipped when its time has passed.
     *
     * @throws JournalException if the journal cannot record it (then nothing was announced)
     */
    synchronized Maintenance schedule(Request r) {
        BotApi api = running();
        StateRecords journal = api.stateRecords();
        Instant now = api.ticker().now();
        journal.checkWritable();
        long id = nextId(journal);
        Maintenance m = new Maintenance(id, r.title(), r.start(), r.start().plus(r.duration()), r.remind(),
                r.targets(), r.requester(), r.origin(), now, EnumSet.of(Notice.CREATED), null, null);
        if (!r.remind().isZero() && !r.start().minus(r.remind()).isAfter(now)) {
            m = m.marking(Notice.REMINDER);
        }
        journal.putState(KIND, Maintenance.key(id), m.toJson());
        records.put(id, m);
        announce(m, "Maintenance " + id + ": " + m.title() + ", " + MaintenanceTimes.window(m.start(), m.end(), now)
                + " (" + MaintenanceTimes.relative(m.start(), now) + "), by " + r.requesterName());
        return m;
    }

    /** The windows kept, by id: upcoming, running, and those over or cancelled within {@link #KEEP}. */
    synchronized List<Maintenance> list() {
        running();
        return List.copyOf(records.values());
    }

    /** The window with this id, if kept. */
    synchronized Optional<Maintenance> find(long id) {
        running();
        return Optional.ofNullable(records.get(id));
    }

    /**
     * Cancels a window that is not over: journals it, then announces the cancellation to its targets.
     *
     * @throws UserFacingException with one line when there is no such window or it is over
     * @throws JournalException if the journal cannot record it (then nothing was announced)
     */
    synchronized Maintenance cancel(long id, String who) {
        BotApi api = running();
        Instant now = api.ticker().now();
        Maintenance m = records.get(id);
        if (m == null) {
            throw new UserFacingException("no maintenance " + id + " (see " + api.prefix() + "maintenance list)");
        }
        if (m.cancelled()) {
            throw new UserFacingException("maintenance " + id + " was already cancelled");
        }
        if (m.over() || !now.isBefore(m.end())) {
            throw new UserFacingException("maintenance " + id + " is already over (it ended "
                    + MaintenanceTimes.time(m.end(), now) + ")");
        }
        Maintenance c = m.cancelling(who, now);
        api.stateRecords().putState(KIND, Maintenance.key(id), c.toJson());
        records.put(id, c);
        announce(c, "Maintenance " + id + " cancelled by " + who + ": " + c.title() + " (was "
                + MaintenanceTimes.window(c.start(), c.end(), now) + ")");
        return c;
    }

    /** The clock of the running bot. */
    synchronized Instant now() {
        return running().ticker().now();
    }

    private BotApi running() {
        if (bot == null || !loaded) {
            throw new UserFacingException("maintenance scheduling is not running yet; try again in a moment");
        }
        return bot;
    }

    /** The next id from the journal's counter, which is moved on first, so an id is never given twice. */
    private long nextId(StateRecords journal) {
        String stored = journal.states(KIND).get(NEXT_ID);
        long id;
        try {
            id = stored == null ? 1 : Long.parseLong(stored.strip());
        } catch (NumberFormatException e) {
            throw new JournalException("the maintenance id counter is unreadable: " + stored, e);
        }
        for (long used : records.keySet()) {
            id = Math.max(id, used + 1);
        }
        journal.putState(KIND, NEXT_ID, Long.toString(id + 1));
        return id;
    }
}
