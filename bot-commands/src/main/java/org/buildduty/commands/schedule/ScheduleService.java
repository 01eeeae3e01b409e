package org.buildduty.commands.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.Schedule;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.time.Durations;

/**
 * Runs the runbooks that have a {@code schedule:}. Each schedule's next due time lives in the journal (kind
 * {@value #KIND}, keyed by runbook name, with its cron expression and whether it is paused). When a due time comes,
 * the next one is journaled first and only then the operation is created, so a crash in between loses that run
 * rather than creating it twice (at most once).
 *
 * <p>A run is requested by the identity {@code schedule:<runbook>}, which must hold the runbook's role (under
 * {@code roles:}); it goes through the engine like a chat request (approval asked in the {@code notify} room,
 * exclusion, journal, progress in that room). Due times missed while the bot was down follow {@code misfire}:
 * {@code skip} says which were skipped, {@code run_once} runs once and says how late. While a previous run of the
 * same schedule is live, {@code on_overlap: skip} skips the run and says so; {@code queue} creates it and lets
 * exclusion queue it.
 */
public final class ScheduleService implements BotService {
    /** The journal kind of the schedules' records. */
    public static final String KIND = "schedule";
    /** The connector id of the identities runs are requested by: {@code schedule:<runbook>}. */
    public static final String CONNECTOR = "schedule";
    /** How many skipped due times a misfire notice names. */
    static final int SHOWN = 5;

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** After a journal failure on a tick, the next try waits this long. */
    private static final Duration RETRY = Duration.ofSeconds(30);
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    /** One schedule's journaled state: when it is next due, for which expression and zone, whether it is paused. */
    record State(Instant due, String cron, boolean paused, String pausedBy) {
        String toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("due", due == null ? null : due.toString());
            o.put("cron", cron);
            o.put("paused", paused);
            if (pausedBy != null) {
                o.put("paused_by", pausedBy);
            }
            return o.toString();
        }

        static State fromJson(String json) {
            try {
                JsonNode o = JSON.readTree(json);
                String due = o.path("due").isTextual() ? o.path("due").asText() : null;
                return new State(due == null ? null : Instant.parse(due), o.path("cron").asText(""),
                        o.path("paused").asBoolean(false),
                        o.path("paused_by").isTextual() ? o.path("paused_by").asText() : null);
            } catch (JsonProcessingException | RuntimeException e) {
                throw new IllegalArgumentException("unreadable schedule record: " + e.getMessage(), e);
            }
        }

        State due(Instant next) {
            return new State(next, cron, paused, pausedBy);
        }
    }

    private final Map<String, State> states = new LinkedHashMap<>();
    /** Tests make the bot "die" here, after the due time was journaled and before the run is created. */
    private Runnable crashPoint = () -> { };
    private volatile List<Runbook> runbooks;
    private BotApi bot;
    private Instant startedAt;
    private Instant retryAfter = Instant.MIN;
    private boolean loaded;

    /** @param runbooks the loaded runbooks; those with a {@code schedule:} are run ({@link #replace} on reload) */
    public ScheduleService(List<Runbook> runbooks) {
        this.runbooks = List.copyOf(runbooks);
    }

    /** For tests: what runs between journaling a due time and creating its run. */
    synchronized void crashPoint(Runnable r) {
        this.crashPoint = r;
    }

    /** Takes the runbooks of a reload: a changed cron expression starts from the next due time of the new one. */
    public void replace(List<Runbook> next) {
        this.runbooks = List.copyOf(next);
    }

    @Override
    public String name() {
        return "schedules";
    }

    @Override
    public synchronized void start(BotApi api) {
        this.bot = api;
        this.startedAt = api.ticker().now();
        load();
    }

    private boolean load() {
        try {
            Map<String, State> read = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : bot.stateRecords().states(KIND).entrySet()) {
                try {
                    read.put(e.getKey(), State.fromJson(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    LOG.error("schedule record {} is unreadable and is ignored: {}", e.getKey(), ex.getMessage());
                }
            }
            states.clear();
            states.putAll(read);
            loaded = true;
        } catch (JournalException e) {
            retryAfter = bot.ticker().now().plus(RETRY);
            LOG.error("schedules: cannot read the journal; retrying in {}s", RETRY.getSeconds(), e);
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
            for (Runbook rb : runbooks) {
                Optional<Schedule> s = rb.scheduled();
                if (s.isPresent()) {
                    step(rb, s.get(), now);
                }
            }
        } catch (JournalException e) {
            retryAfter = now.plus(RETRY);
            LOG.error("schedules: the journal cannot record a due time; retrying in {}s", RETRY.getSeconds(), e);
        }
    }

    @Override
    public synchronized void close() {
        bot = null;
        loaded = false;
        states.clear();
    }

    /** What is due for one schedule at {@code now}. */
    private void step(Runbook rb, Schedule s, Instant now) {
        State st = states.get(rb.name());
        if (st == null || !st.cron().equals(key(s))) {
            boolean paused = st != null && st.paused();
            put(rb.name(), new State(s.next(now).orElse(null), key(s), paused, st == null ? null : st.pausedBy()));
            return;
        }
        if (st.due() == null || now.isBefore(st.due())) {
            return;
        }
        List<Instant> missed = s.between(st.due().minusNanos(1), now, SHOWN);
        Missed all = missed(s, st.due(), now);
        // at most once: the next due time is journaled before anything is created
        put(rb.name(), st.due(s.next(now).orElse(null)));
        crashPoint.run();
        if (st.paused()) {
            LOG.info("schedule {}: paused, the run due {} is skipped", rb.name(), st.due());
            return;
        }
        String late = "";
        if (st.due().isBefore(startedAt)) {
            if (s.misfire() == Schedule.Misfire.SKIP) {
                announce(s, "skipped " + runs(all.count()) + " of " + rb.name() + " while the bot was down: "
                        + shown(missed, s) + (all.count() > SHOWN ? " and " + (all.count() - SHOWN) + " more" : ""));
                return;
            }
            late = " ran " + Durations.format(Duration.between(all.last(), now)) + " late (the bot was down"
                    + (all.count() > 1 ? "; " + runs(all.count()) + " were missed, this is the one" : "") + ")";
        }
        run(rb, s, late);
    }

    /** How many due times fell in {@code [first, now]}, and the last of them. */
    private record Missed(int count, Instant last) {
    }

    private static Missed missed(Schedule s, Instant first, Instant now) {
        int n = 1;
        Instant at = first;
        for (Optional<Instant> next = s.next(at); next.isPresent() && !next.get().isAfter(now) && n < 100_000;
                next = s.next(at)) {
            at = next.get();
            n++;
        }
        return new Missed(n, at);
    }

    private static String runs(int n) {
        return n + (n == 1 ? " run" : " runs");
    }

    /** {@code 06:00Z Mon, 06:00Z Tue} in the schedule's zone ({@code 08:00 Mon Europe/Paris} elsewhere). */
    static String shown(List<Instant> times, Schedule s) {
        List<String> out = new ArrayList<>();
        for (Instant t : times.subList(0, Math.min(times.size(), SHOWN))) {
            out.add(when(t, s));
        }
        return String.join(", ", out);
    }

    static String when(Instant t, Schedule s) {
        ZonedDateTime z = t.atZone(s.zone());
        String day = z.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT);
        return s.zone().equals(ZoneOffset.UTC) ? HM.format(z) + "Z " + day
                : HM.format(z) + " " + day + " " + s.zone().getId();
    }

    /** Creates the run, if the schedule's identity may; every outcome is one line in {@code notify}. */
    private void run(Runbook rb, Schedule s, String late) {
        Identity who = identity(rb);
        String label = "scheduled " + rb.name() + ":";
        if (s.onOverlap() == Schedule.OnOverlap.SKIP) {
            Optional<Operation> live = bot.activeOperations().stream().filter(o -> o.requester().equals(who))
                    .findFirst();
            if (live.isPresent()) {
                announce(s, label + " skipped this run: the previous one, " + live.get().title() + ", is still "
                        + live.get().state().label() + " (on_overlap: skip)");
                return;
            }
        }
        if (!rb.role().isEmpty() && !bot.isOwner(who) && !bot.rolesOf(who).contains(rb.role())) {
            announce(s, label + " not run: " + who + " does not hold role " + rb.role() + " (list it under roles: "
                    + rb.role() + " in the configuration)");
            return;
        }
        Optional<ChatAddress> room = address(s);
        if (room.isEmpty()) {
            return;
        }
        List<String> lines;
        try {
            OperationPlan plan = rb.plan(s.params(), bot.inventory());
            lines = bot.submit(plan, who, room.get()).lines();
        } catch (JournalException e) {
            announce(s, label + " not run: the journal cannot record it (" + e.getMessage() + ")");
            return;
        } catch (UserFacingException e) {
            announce(s, label + " not run: " + e.getMessage());
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            announce(s, i == 0 ? label + late + " " + lines.get(i) : lines.get(i));
        }
    }

    /** What a journaled due time was computed for: the expression and its zone (a change of either recomputes it). */
    private static String key(Schedule s) {
        return s.cron() + " " + s.zone().getId();
    }

    /** The identity a schedule's runs are requested by. */
    public static Identity identity(Runbook rb) {
        return new Identity(CONNECTOR, rb.name());
    }

    private Optional<ChatAddress> address(Schedule s) {
        try {
            return Optional.of(bot.announcer().resolve(s.notifyTarget(), null));
        } catch (RuntimeException e) {
            LOG.warn("schedule: cannot resolve notify target {}: {}", s.notifyTarget(), e.getMessage());
            return Optional.empty();
        }
    }

    private void announce(Schedule s, String text) {
        Optional<ChatAddress> to = address(s);
        if (to.isEmpty()) {
            return;
        }
        try {
            bot.announcer().announce(to.get(), Sanitize.forDisplay(text, Announcer.MAX_TEXT));
        } catch (RuntimeException e) {
            LOG.warn("schedule: cannot announce in {}: {}", to.get(), e.getMessage());
        }
    }

    private void put(String name, State st) {
        bot.stateRecords().putState(KIND, name, st.toJson());
        states.put(name, st);
    }

    // ---- what the commands call ----

    /** One schedule as {@code schedules} lists it. */
    record Listed(Runbook runbook, Schedule schedule, Optional<Instant> next, boolean paused, String pausedBy) {
    }

    synchronized List<Listed> list() {
        BotApi api = running();
        Instant now = api.ticker().now();
        List<Listed> out = new ArrayList<>();
        for (Runbook rb : runbooks) {
            rb.scheduled().ifPresent(s -> {
                State st = states.get(rb.name());
                Optional<Instant> next = st != null && st.cron().equals(key(s))
                        ? Optional.ofNullable(st.due()) : s.next(now);
                out.add(new Listed(rb, s, next, st != null && st.paused(), st == null ? null : st.pausedBy()));
            });
        }
        return out;
    }

    /** Pauses or resumes a schedule, journaled; the answer line. */
    synchronized String setPaused(Runbook rb, boolean pause, String who) {
        BotApi api = running();
        Schedule s = rb.scheduled().orElseThrow();
        api.stateRecords().checkWritable();
        State st = states.get(rb.name());
        Instant now = api.ticker().now();
        if (st == null || !st.cron().equals(key(s))) {
            st = new State(s.next(now).orElse(null), key(s), st != null && st.paused(), st == null ? null
                    : st.pausedBy());
        }
        if (st.paused() == pause) {
            return "schedule " + rb.name() + " is already " + (pause ? "paused" : "running");
        }
        if (!pause && st.due() != null && !now.isBefore(st.due())) {
            st = st.due(s.next(now).orElse(null));   // what fell due while paused is not run late
        }
        put(rb.name(), new State(st.due(), st.cron(), pause, pause ? who : null));
        return "schedule " + rb.name() + (pause ? " paused; " + api.prefix() + "schedules resume " + rb.name()
                + " resumes it" : " resumed; next run " + Optional.ofNullable(states.get(rb.name()).due())
                .map(t -> when(t, s)).orElse("never"));
    }

    synchronized Instant now() {
        return running().ticker().now();
    }

    synchronized Optional<Runbook> runbook(String name) {
        return runbooks.stream().filter(r -> r.name().equals(name) && r.scheduled().isPresent()).findFirst();
    }

    synchronized List<String> names() {
        return runbooks.stream().filter(r -> r.scheduled().isPresent()).map(Runbook::name).toList();
    }

    private BotApi running() {
        if (bot == null || !loaded) {
            throw new UserFacingException("schedules are not running yet; try again in a moment");
        }
        return bot;
    }
}
