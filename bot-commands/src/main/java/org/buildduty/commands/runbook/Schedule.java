package org.buildduty.commands.runbook;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * A runbook's {@code schedule:}: when it runs by itself (a five-field Unix cron expression, read by cron-utils, in
 * {@code timezone}, UTC by default), with which parameters, where it reports ({@code notify}), and what it does when
 * the previous run is still live ({@code on_overlap}) or when due times passed while the bot was down
 * ({@code misfire}).
 */
public final class Schedule {
    /** What a due time does while the previous run of the same schedule is still live. */
    public enum OnOverlap {
        /** Skips this run and says so in {@code notify}. */
        SKIP,
        /** Creates it anyway; exclusion queues (or refuses) it as for any request. */
        QUEUE
    }

    /** What due times missed while the bot was down do at the next start. */
    public enum Misfire {
        /** Runs none of them and says which were skipped. */
        SKIP,
        /** Runs once, late, and says how late. */
        RUN_ONCE
    }

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String cron;
    private final ExecutionTime times;
    private final Map<String, String> params;
    private final String notify;
    private final OnOverlap onOverlap;
    private final Misfire misfire;
    private final ZoneId zone;

    /**
     * @throws IllegalArgumentException with the parser's reason when {@code cron} is not a five-field Unix cron
     *     expression
     */
    public Schedule(String cron, Map<String, String> params, String notify, OnOverlap onOverlap, Misfire misfire,
            ZoneId zone) {
        this.cron = Objects.requireNonNull(cron, "cron").strip();
        this.times = ExecutionTime.forCron(parse(this.cron));
        this.params = Map.copyOf(new LinkedHashMap<>(params));
        this.notify = Objects.requireNonNull(notify, "notify");
        this.onOverlap = Objects.requireNonNull(onOverlap, "onOverlap");
        this.misfire = Objects.requireNonNull(misfire, "misfire");
        this.zone = zone == null ? ZoneOffset.UTC : zone;
    }

    /** Parses a five-field Unix cron expression, or throws {@link IllegalArgumentException} saying why not. */
    static Cron parse(String expression) {
        String[] fields = expression.strip().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("a cron expression has 5 fields (minute hour day-of-month month"
                    + " day-of-week), not " + fields.length);
        }
        try {
            Cron c = PARSER.parse(expression.strip());
            c.validate();
            return c;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() == null ? "not a cron expression" : e.getMessage(), e);
        }
    }

    /** Reads a time zone id ({@code Europe/Paris}, {@code UTC}), or throws {@link IllegalArgumentException}. */
    static ZoneId zone(String id) {
        try {
            return ZoneId.of(id.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone \"" + id + "\" (e.g. UTC, Europe/Paris)", e);
        }
    }

    /** The first due time strictly after {@code after}, if the expression has one. */
    public Optional<Instant> next(Instant after) {
        return times.nextExecution(after.atZone(zone)).map(z -> z.toInstant());
    }

    /**
     * The due times in {@code (from, to]}, oldest first: at most {@code limit + 1}, so that a caller showing
     * {@code limit} of them knows when there were more.
     */
    public List<Instant> between(Instant from, Instant to, int limit) {
        List<Instant> out = new ArrayList<>();
        Instant at = from;
        while (out.size() <= limit) {
            Optional<Instant> n = next(at);
            if (n.isEmpty() || n.get().isAfter(to)) {
                break;
            }
            out.add(n.get());
            at = n.get();
        }
        return out;
    }

    public String cron() {
        return cron;
    }

    /** The parameters each run gets, by parameter name, as typed after {@code --name}. */
    public Map<String, String> params() {
        return params;
    }

    /** The announce target ({@code [connector:]room}) where runs are announced and report. */
    public String notifyTarget() {
        return notify;
    }

    public OnOverlap onOverlap() {
        return onOverlap;
    }

    public Misfire misfire() {
        return misfire;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return "schedule " + cron + (zone.equals(ZoneOffset.UTC) ? "" : " " + zone.getId());
    }
}
