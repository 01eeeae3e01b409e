package org.buildduty.commands.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.commands.buildbot.Build;
import org.buildduty.commands.buildbot.BuildbotClient;
import org.buildduty.commands.maintenance.Maintenance.Notice;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.time.Durations;

/**
 * Scheduled maintenance windows: announced when created, a reminder before the start, then the start and the end,
 * each to every target of the window. Records live in the journal (kind {@value #KIND}), and each notice is marked
 * sent there before it is announced, so a restart never repeats one; notices that fell due while the bot was down go
 * out at once and say they are late. Over or cancelled windows stay listed for {@link #KEEP}, then are removed.
 *
 * <p>A window may run a runbook at its start ({@code --runbook}): when the runbook needs approval, it is asked when
 * the reminder goes out (at once without a reminder), as an operation of kind {@value #APPROVAL_KIND} that stays
 * open until the window's start, in the room the window was scheduled from; at the start, unless it was approved,
 * the targets are told the update does not run. With {@code --when-idle} it first waits for Buildbot's running
 * builds to finish (saying which, when that changes) up to {@code --max-wait}, after which the update does not run.
 * The runbook then runs as an operation through {@link BotApi#submit}, and the window's end is announced when the
 * operation ends, with its result. Each of these steps is journaled before it is taken, so a restart never takes
 * one twice (at most once, like the notices).
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

    /** The kind of the operation that asks a window's approval. */
    public static final String APPROVAL_KIND = "maintenance-approval";
    /** How many running builds a waiting line names. */
    static final int MAX_NAMED = 5;

    private final Map<Long, Maintenance> records = new TreeMap<>();
    private final Map<String, Runbook> runbooks = new LinkedHashMap<>();
    private final RunningBuilds builds;
    /** What each waiting window last said it waits for, to say it again only when it changes. */
    private final Map<Long, String> waitSaid = new HashMap<>();
    private BotApi bot;
    private Instant startedAt;
    private Instant retryAfter = Instant.MIN;
    private boolean loaded;

    /** A schedule whose windows run no runbooks. */
    public MaintenanceSchedule() {
        this(List.of(), null);
    }

    /**
     * A schedule whose windows may run these runbooks ({@code --runbook}).
     *
     * @param builds Buildbot's running builds, for {@code --when-idle}; null when Buildbot is not configured
     */
    public MaintenanceSchedule(List<Runbook> runbooks, RunningBuilds builds) {
        runbooks.forEach(rb -> this.runbooks.put(rb.name(), rb));
        this.builds = builds;
    }

    /** The builds running now, each named in a few words ({@code linux #12 on worker1}); empty when none run. */
    @FunctionalInterface
    public interface RunningBuilds {
        /**
         * @throws RuntimeException when they cannot be read (the server does not answer)
         */
        List<String> running();

        /** Buildbot's running builds, as {@code builds running} reads them. */
        static RunningBuilds of(BuildbotClient client) {
            return () -> {
                List<Build> running = new ArrayList<>(client.runningBuilds());
                if (running.isEmpty()) {
                    return List.of();
                }
                Map<Integer, String> builders = new HashMap<>();
                client.builders().forEach(b -> builders.put(b.id(), b.name()));
                Map<Integer, String> workers = client.workers();
                running.sort(Comparator.comparing(Build::id));
                return running.stream().map(b -> builders.getOrDefault(b.builderId(), "builder " + b.builderId())
                        + " #" + b.number() + " on " + workers.getOrDefault(b.workerId(), "worker " + b.workerId()))
                        .toList();
            };
        }
    }

    /** The runbook of that name a window may run. */
    Optional<Runbook> runbook(String runbookName) {
        return Optional.ofNullable(runbooks.get(runbookName));
    }

    /** The names of the runbooks. */
    List<String> runbookNames() {
        return List.copyOf(runbooks.keySet());
    }

    /** True when {@code --when-idle} can read running builds. */
    boolean readsBuilds() {
        return builds != null;
    }

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
                waitSaid.remove(m.id());
            }
            return;
        }
        Maintenance.Update u = m.update();
        if (u != null && m.wasSent(Notice.RUN)) {
            followRun(m, u, now);
            return;
        }
        boolean pending = u != null && !m.wasSent(Notice.NOT_RUN);
        String window = MaintenanceTimes.window(m.start(), m.end(), now);
        if (!now.isBefore(m.end())) {
            if (!m.wasSent(Notice.START)) {
                send(m.marking(Notice.REMINDER, Notice.START, Notice.END, Notice.NOT_RUN), "Maintenance " + m.id()
                        + " (" + m.title() + ", " + window + ") " + (m.start().isBefore(startedAt)
                        ? "started and ended while the bot was down; it is over"
                        : "is over; its start could not be announced in time")
                        + (pending ? "; " + u.runbook() + " did not run" : ""));
            } else {
                send(m.marking(Notice.END, Notice.NOT_RUN), "Maintenance " + m.id() + " is over: " + m.title() + " ("
                        + window + ")" + late(m.end(), now) + (pending ? "; " + u.runbook()
                        + " did not run: the window ended before it could start" : ""));
            }
        } else if (!now.isBefore(m.start())) {
            if (!m.wasSent(Notice.START)) {
                send(m.marking(Notice.REMINDER, Notice.START), "Maintenance " + m.id() + " starting now: "
                        + m.title() + ", until " + MaintenanceTimes.time(m.end(), now) + late(m.start(), now)
                        + (pending ? "; then " + u.runbook() + (u.whenIdle() ? " once no build runs" : " runs") : ""));
            } else if (pending) {
                startUpdate(m, u, now);
            }
        } else if (!m.remind().isZero() && !m.wasSent(Notice.REMINDER)
                && !now.isBefore(m.start().minus(m.remind()))) {
            send(m.marking(Notice.REMINDER), "Maintenance " + m.id() + " starts "
                    + MaintenanceTimes.relative(m.start(), now) + " (" + window + "): " + m.title()
                    + late(m.start().minus(m.remind()), now));
        } else if (pending && !m.wasSent(Notice.APPROVAL) && (m.remind().isZero() || m.wasSent(Notice.REMINDER))) {
            askApproval(m, u, now);
        }
    }

    /**
     * At the reminder: asks the runbook's approval as an operation of kind {@value #APPROVAL_KIND} with no steps,
     * open until the window's start whatever the runbook's own approval timeout, in the room the window was
     * scheduled from. A runbook without approval asks nothing.
     */
    private void askApproval(Maintenance m, Maintenance.Update u, Instant now) {
        Optional<Runbook> rb = runbook(u.runbook());
        if (rb.isEmpty()) {
            notRun(m, u, "runbook " + u.runbook() + " is no longer configured");
            return;
        }
        ApprovalPolicy a = rb.get().approval();
        if (!a.isRequired()) {
            keep(m.marking(Notice.APPROVAL));
            return;
        }
        OperationPlan plan;
        try {
            plan = rb.get().plan(u.params(), bot.inventory());
        } catch (UserFacingException e) {
            notRun(m, u, "its parameters are no longer valid: " + e.getMessage());
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("maintenance", Long.toString(m.id()));
        params.put("runbook", u.runbook());
        params.putAll(plan.params());
        OperationPlan asking = new OperationPlan(APPROVAL_KIND, params, List.of(),
                new ApprovalPolicy(a.role(), a.required(), a.selfApprove(), Duration.between(now, m.start())),
                "steps", OnRestart.REPORT, Exclusion.NONE);
        Maintenance marked = keep(m.marking(Notice.APPROVAL));
        BotApi.Submitted asked;
        try {
            asked = bot.submit(asking, Identity.parse(m.requester()), m.origin());
        } catch (UserFacingException e) {
            notRun(marked, u, "its approval could not be asked: " + e.getMessage());
            return;
        }
        keep(marked.with(u.withApprovalOp(asked.id().value())));
        say(m.origin(), asked.lines());
        announceElsewhere(m, "Maintenance " + m.id() + ": " + u.runbook() + " runs at the start if approved before "
                + MaintenanceTimes.time(m.start(), now) + ": " + bot.prefix() + "approve " + asked.id().value()
                + " in " + m.origin().connectorId() + ":" + m.origin().room());
    }

    /** At the start: checks the approval, waits for running builds if asked, then runs the runbook. */
    private void startUpdate(Maintenance m, Maintenance.Update u, Instant now) {
        Optional<Runbook> rb = runbook(u.runbook());
        if (rb.isEmpty()) {
            notRun(m, u, "runbook " + u.runbook() + " is no longer configured");
            return;
        }
        if (rb.get().approval().isRequired()) {
            Optional<String> refused = approvalRefused(m, u);
            if (refused.isPresent()) {
                notRun(m, u, refused.get());
                return;
            }
        }
        if (u.whenIdle()) {
            Maintenance.Update waiting = u;
            if (u.waitingSince() == null) {
                waiting = u.withWaitingSince(now);
                m = keep(m.marking(Notice.WAITING).with(waiting));
            }
            Instant deadline = waiting.waitingSince().plus(u.maxWait());
            List<String> running;
            String said;
            try {
                running = builds.running();
                said = running.isEmpty() ? "" : "waiting for " + running.size() + (running.size() == 1
                        ? " running build" : " running builds") + " to finish before " + u.runbook() + " (until "
                        + MaintenanceTimes.time(deadline, now) + " at most): " + named(running);
            } catch (RuntimeException e) {
                running = null;
                said = "cannot read Buildbot's running builds (" + Sanitize.forDisplay(String.valueOf(e.getMessage()),
                        200) + "); trying again until " + MaintenanceTimes.time(deadline, now);
            }
            if (running != null && running.isEmpty()) {
                run(m, waiting, rb.get(), now);
                return;
            }
            if (!now.isBefore(deadline)) {
                notRun(m, u, "builds still running after " + Durations.format(u.maxWait()) + " (--max-wait)"
                        + (running == null ? "" : ": " + named(running)));
                return;
            }
            if (!said.equals(waitSaid.get(m.id()))) {
                waitSaid.put(m.id(), said);
                announce(m, "Maintenance " + m.id() + ": " + said);
            }
            return;
        }
        run(m, u, rb.get(), now);
    }

    /**
     * Why the update does not run for want of approval; empty when it was approved: its approval operation got the
     * approvals it needed (it then runs no step and ends at once; a restart that interrupts that changes nothing).
     * A request still pending at the start is withdrawn.
     */
    private Optional<String> approvalRefused(Maintenance m, Maintenance.Update u) {
        if (u.approvalOp() == null) {
            return Optional.of("its approval was never asked (" + (m.wasSent(Notice.APPROVAL)
                    ? "a restart came as it was asked" : "the bot was down at the reminder") + ")");
        }
        OperationId id = new OperationId(u.approvalOp());
        Optional<OperationRecord> rec = bot.history().operation(id);
        if (rec.isEmpty()) {
            return Optional.of("its approval request " + id + " is not in the journal");
        }
        OperationState state = rec.get().state();
        long approvals = bot.history().approvals(id).stream().filter(a -> a.step() == ApprovalRecord.START
                && a.kind() == ApprovalRecord.Kind.APPROVED).count();
        if (state == OperationState.SUCCEEDED || rec.get().startedAt() != null
                || approvals >= rec.get().plan().approval().required()) {
            return Optional.empty();
        }
        if (state == OperationState.PENDING_APPROVAL) {
            try {
                bot.cancel(id, Identity.parse(m.requester()));
            } catch (RuntimeException e) {
                LOG.warn("maintenance {}: cannot withdraw approval request {}: {}", m.id(), id, e.getMessage());
            }
            return Optional.of("not approved before the start (" + id + ")");
        }
        return Optional.of(switch (state) {
            case DENIED -> "approval denied (" + id + ")";
            case EXPIRED -> "not approved before the start (" + id + ")";
            default -> "not approved before the start (" + id + " " + state.name().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + ")";
        });
    }

    /** Creates the runbook's operation (approved already, or needing none); journaled before it is created. */
    private void run(Maintenance m, Maintenance.Update u, Runbook rb, Instant now) {
        OperationPlan plan;
        try {
            plan = rb.plan(u.params(), bot.inventory());
        } catch (UserFacingException e) {
            notRun(m, u, "its parameters are no longer valid: " + e.getMessage());
            return;
        }
        OperationPlan approved = new OperationPlan(plan.kind(), plan.params(), plan.steps(), ApprovalPolicy.NONE,
                plan.unit(), plan.onRestart(), plan.exclusion());
        Maintenance marked = keep(m.marking(Notice.RUN));
        BotApi.Submitted created;
        try {
            created = bot.submit(approved, Identity.parse(m.requester()), m.origin());
        } catch (UserFacingException e) {
            send(marked.marking(Notice.NOT_RUN), "Maintenance " + m.id() + ": " + u.runbook() + " did not run: "
                    + e.getMessage());
            return;
        }
        keep(marked.with(u.withRunOp(created.id().value())));
        waitSaid.remove(m.id());
        say(m.origin(), created.lines());
        Duration waited = u.waitingSince() == null ? Duration.ZERO : Duration.between(u.waitingSince(), now);
        announceElsewhere(m, "Maintenance " + m.id() + ": running " + u.runbook() + " as " + created.id()
                + (u.waitingSince() == null ? late(m.start(), now) : waited.compareTo(LATE) < 0 ? ""
                : " (after waiting " + MaintenanceTimes.minutes(waited) + " for running builds)"));
    }

    /** While the runbook's operation runs, nothing; when it has ended, the window's end with its result. */
    private void followRun(Maintenance m, Maintenance.Update u, Instant now) {
        String window = MaintenanceTimes.window(m.start(), m.end(), now);
        if (u.runOp() == null) {
            send(m.marking(Notice.END), "Maintenance " + m.id() + " is over: " + m.title() + " (" + window + "); "
                    + u.runbook() + " was being started when the bot stopped: see " + bot.prefix() + "ops");
            return;
        }
        OperationId id = new OperationId(u.runOp());
        Optional<OperationRecord> rec = bot.history().operation(id);
        if (rec.isEmpty() || !rec.get().state().isTerminal()) {
            return;
        }
        OperationRecord r = rec.get();
        String result = r.detail() == null || r.detail().isBlank() ? id + " " + r.state().name()
                .toLowerCase(Locale.ROOT).replace('_', ' ') : r.detail();
        String link = bot.link(id);
        send(m.marking(Notice.END), "Maintenance " + m.id() + " is over: " + m.title() + " (" + window + "); "
                + u.runbook() + ": " + result + (link.isEmpty() ? "" : " " + link));
    }

    /** Says, once, that the update does not run and why; the window goes on to its end. */
    private void notRun(Maintenance m, Maintenance.Update u, String why) {
        waitSaid.remove(m.id());
        send(m.marking(Notice.NOT_RUN), "Maintenance " + m.id() + ": " + u.runbook() + " did not run: " + why);
    }

    private static String named(List<String> running) {
        String shown = String.join(", ", running.subList(0, Math.min(MAX_NAMED, running.size())));
        return running.size() > MAX_NAMED ? shown + " and " + (running.size() - MAX_NAMED) + " more" : shown;
    }

    /** Journals the record and keeps it. */
    private Maintenance keep(Maintenance m) {
        bot.stateRecords().putState(KIND, Maintenance.key(m.id()), m.toJson());
        records.put(m.id(), m);
        return m;
    }

    /** Posts lines in one room. */
    private void say(ChatAddress to, List<String> lines) {
        for (String line : lines) {
            try {
                bot.announcer().announce(to, Sanitize.forDisplay(line, Announcer.MAX_TEXT));
            } catch (RuntimeException e) {
                LOG.warn("maintenance: cannot post in {}: {}", to, e.getMessage());
            }
        }
    }

    /** Announces to every target but the room the window was scheduled from, which was told already. */
    private void announceElsewhere(Maintenance m, String text) {
        for (ChatAddress to : m.targets()) {
            if (!to.equals(m.origin())) {
                say(to, List.of(text));
            }
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
            String requester, String requesterName, ChatAddress origin, Maintenance.Update update) {
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
                r.targets(), r.requester(), r.origin(), now, EnumSet.of(Notice.CREATED), null, null, r.update());
        if (!r.remind().isZero() && !r.start().minus(r.remind()).isAfter(now)) {
            m = m.marking(Notice.REMINDER);
        }
        journal.putState(KIND, Maintenance.key(id), m.toJson());
        records.put(id, m);
        announce(m, "Maintenance " + id + ": " + m.title() + ", " + MaintenanceTimes.window(m.start(), m.end(), now)
                + " (" + MaintenanceTimes.relative(m.start(), now) + "), by " + r.requesterName()
                + (r.update() == null ? "" : "; runs " + r.update().runbook() + (r.update().whenIdle()
                        ? " once no build runs" : "") + " at the start"));
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
        waitSaid.remove(id);
        String update = "";
        Maintenance.Update u = m.update();
        if (u != null && u.runOp() != null) {
            update = "; " + u.runbook() + " " + new OperationId(u.runOp()) + " is not cancelled with it ("
                    + api.prefix() + "cancel " + u.runOp() + ")";
        } else if (u != null && u.approvalOp() != null && !m.wasSent(Notice.RUN)) {
            OperationId asked = new OperationId(u.approvalOp());
            if (api.pendingApproval(asked).isPresent()) {
                try {
                    api.cancel(asked, Identity.parse(m.requester()));
                } catch (RuntimeException e) {
                    LOG.warn("maintenance {}: cannot withdraw approval request {}: {}", id, asked, e.getMessage());
                }
            }
            update = "; " + u.runbook() + " will not run";
        } else if (u != null && !m.wasSent(Notice.NOT_RUN)) {
            update = "; " + u.runbook() + " will not run";
        }
        announce(c, "Maintenance " + id + " cancelled by " + who + ": " + c.title() + " (was "
                + MaintenanceTimes.window(c.start(), c.end(), now) + ")" + update);
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
