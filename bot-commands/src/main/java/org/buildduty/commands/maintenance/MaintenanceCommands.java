package org.buildduty.commands.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.cli.Option;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.InvalidValueException;
import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UsageException;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.time.Durations;

/**
 * The maintenance commands: {@code maintenance <title...> --at TIME --duration D --notify TARGET...}
 * ({@code [--remind D] [--runbook NAME [--param key=value]... [--when-idle [--max-wait D]]]}),
 * {@code maintenance list} and {@code maintenance cancel <id>}, over a {@link MaintenanceSchedule} that the engine
 * runs as a service. A runbook and its parameters are checked when the window is scheduled, with the runbook's own
 * validation, so a bad one is refused then in one line, not at the window.
 */
public final class MaintenanceCommands {
    /** The role that may schedule and cancel. */
    public static final String ROLE = "releng";
    /** The longest maintenance window. */
    static final Duration MAX_DURATION = Duration.ofDays(7);
    /** The default reminder lead. */
    static final Duration DEFAULT_REMIND = Duration.ofMinutes(15);
    static final int MAX_TITLE = 200;
    static final int MAX_TARGETS = 10;
    /** The default longest wait for running builds ({@code --when-idle}). */
    static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(30);

    private MaintenanceCommands() {
    }

    /** Registers {@code maintenance}, {@code maintenance list} and {@code maintenance cancel}. */
    public static void register(CommandRules rules, MaintenanceSchedule schedule) {
        rules.register(CommandSpec.builder("maintenance")
                .summary("announce a maintenance window now, remind before it, announce its start and end "
                        + "(survives restarts); write the title first")
                .positional("title", 1, Integer.MAX_VALUE)
                .option(Option.builder().longOpt("at").hasArg().argName("TIME").required()
                        .desc("start: " + MaintenanceTimes.FORMATS).get())
                .option(Option.builder().longOpt("duration").hasArg().argName("D").required()
                        .desc("length, at most 7d: 30m, 2h, 1h30m").get())
                .option(Option.builder().longOpt("notify").hasArgs().argName("TARGET").required()
                        .desc("where to announce, one or more: [connector:]room or \"stream > topic\"").get())
                .valueOption("remind", "D", "remind this long before the start (default 15m; 0: no reminder)")
                .valueOption("runbook", "NAME", "run this runbook at the start (its approval is asked at the reminder)")
                .option(Option.builder().longOpt("param").hasArgs().argName("KEY=VALUE")
                        .desc("parameters of the runbook: --param image=buildbot:4.1 masters=bm01 (or --param once "
                                + "each)").get())
                .flag("when-idle", "before the runbook, wait until Buildbot runs no build")
                .valueOption("max-wait", "D", "with --when-idle, the longest wait (default 30m); then it does not run")
                .role(ROLE).handler(ctx -> create(ctx, schedule)).build());
        rules.register(CommandSpec.builder("maintenance list")
                .summary("scheduled, running and recently ended maintenance windows")
                .handler(ctx -> list(schedule)).build());
        rules.register(CommandSpec.builder("maintenance cancel")
                .summary("cancel a maintenance window; its targets are told")
                .positional("id", 1, 1).role(ROLE).handler(ctx -> cancel(ctx, schedule)).build());
    }

    private static Outcome create(CommandContext ctx, MaintenanceSchedule schedule) {
        String title = title(ctx.args().positionals());
        Instant now = schedule.now();
        Instant start = MaintenanceTimes.parseAt(ctx.args().option("at").orElseThrow(), now);
        Duration duration = duration("duration", ctx.args().option("duration").orElseThrow());
        String remindText = ctx.args().option("remind").orElse(null);
        Duration remind = remindText == null ? DEFAULT_REMIND
                : remindText.strip().equals("0") ? Duration.ZERO : duration("remind", remindText);
        String[] notify = ctx.args().options().getOptionValues("notify");
        List<String> written = targets(notify == null ? List.of() : List.of(notify));
        if (written.size() > MAX_TARGETS) {
            throw new InvalidValueException("at most " + MAX_TARGETS + " --notify targets, not " + written.size());
        }
        Announcer announcer = ctx.bot().announcer();
        Set<ChatAddress> resolved = new LinkedHashSet<>();
        for (String t : written) {
            resolved.add(announcer.resolve(t, ctx.message().connectorId()));
        }
        Maintenance.Update update = planned(ctx, schedule);
        Maintenance m = schedule.schedule(new MaintenanceSchedule.Request(title, start, duration, remind,
                List.copyOf(resolved), ctx.caller().toString(), ctx.caller().principal(), ctx.message().room(),
                update));
        String reminder = remind.isZero() ? "no reminder"
                : m.wasSent(Maintenance.Notice.REMINDER) ? "no reminder (it starts within " + Durations.format(remind)
                        + ")"
                : "reminder " + MaintenanceTimes.minutes(remind) + " before";
        return Outcome.reply("scheduled maintenance " + m.id() + ": " + m.title() + ", "
                + MaintenanceTimes.window(m.start(), m.end(), now) + " (" + MaintenanceTimes.relative(m.start(), now)
                + "); " + reminder + "; notifying " + m.targets().stream().map(ChatAddress::toString)
                .collect(Collectors.joining(", ")) + runs(m) + "; cancel with " + ctx.bot().prefix()
                + "maintenance cancel " + m.id());
    }

    private static String runs(Maintenance m) {
        Maintenance.Update u = m.update();
        if (u == null) {
            return "";
        }
        return "; runs " + u.runbook() + (u.whenIdle() ? " once no build runs (waiting " + Durations.format(
                u.maxWait()) + " at most)" : "") + " at the start";
    }

    /**
     * The runbook the window runs, checked now: it exists, the caller may start it here, and its parameters pass
     * its own validation ({@link Runbook#plan}); null without {@code --runbook}.
     */
    private static Maintenance.Update planned(CommandContext ctx, MaintenanceSchedule schedule) {
        String name = ctx.args().option("runbook").orElse(null);
        String[] given = ctx.args().options().getOptionValues("param");
        boolean whenIdle = ctx.args().flag("when-idle");
        String maxWaitText = ctx.args().option("max-wait").orElse(null);
        if (name == null) {
            if (given != null || whenIdle || maxWaitText != null) {
                throw new UsageException("--param, --when-idle and --max-wait go with --runbook NAME");
            }
            return null;
        }
        Runbook rb = schedule.runbook(name.strip()).orElseThrow(() -> new InvalidValueException("unknown runbook "
                + MaintenanceTimes.shown(name) + "; " + (schedule.runbookNames().isEmpty()
                ? "none are configured" : "runbooks: " + String.join(", ", schedule.runbookNames()))));
        if (!rb.role().isEmpty() && !rb.role().equals(Runbook.ANYONE) && !ctx.roles().contains(rb.role())
                && !ctx.bot().isOwner(ctx.caller())) {
            throw new NotAllowedException("not allowed: runbook " + rb.name() + " needs role " + rb.role()
                    + " (you are " + ctx.caller() + ")");
        }
        if (!rb.startsIn(ctx.message().room())) {
            throw new NotAllowedException("not here: " + rb.name() + " starts only in " + String.join(", ",
                    rb.rooms()));
        }
        Map<String, String> raw = new LinkedHashMap<>();
        for (String p : given == null ? new String[0] : given) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--param takes key=value, not " + MaintenanceTimes.shown(p) + "; e.g. "
                        + "--param image=buildbot/master:4.1");
            }
            String key = p.substring(0, eq).strip();
            String param = rb.paramForOption(key).map(ParamSpec::name).orElse(key);
            if (raw.putIfAbsent(param, p.substring(eq + 1)) != null) {
                throw new UsageException("--param " + MaintenanceTimes.shown(key) + " given twice");
            }
        }
        OperationPlan plan = rb.plan(raw, ctx.bot().inventory());
        if ("true".equals(plan.params().get("dry_run"))) {
            throw new InvalidValueException("a window runs " + rb.name() + " for real; try the dry run now: run "
                    + rb.name() + " --dry-run");
        }
        Duration maxWait = DEFAULT_MAX_WAIT;
        if (maxWaitText != null) {
            if (!whenIdle) {
                throw new UsageException("--max-wait goes with --when-idle");
            }
            maxWait = duration("max-wait", maxWaitText);
            if (maxWait.isZero()) {
                throw new InvalidValueException("--max-wait must be more than 0");
            }
        }
        if (whenIdle && !schedule.readsBuilds()) {
            throw new InvalidValueException("--when-idle needs services.buildbot (the running builds are Buildbot's)");
        }
        return new Maintenance.Update(rb.name(), raw, whenIdle, maxWait, null, null, null);
    }

    private static Outcome list(MaintenanceSchedule schedule) {
        Instant now = schedule.now();
        List<Maintenance> all = new ArrayList<>(schedule.list());
        if (all.isEmpty()) {
            return Outcome.reply("no maintenance scheduled");
        }
        all.sort(Comparator.comparing((Maintenance m) -> m.over() || !now.isBefore(m.end()))
                .thenComparing(Maintenance::start).thenComparing(Maintenance::id));
        List<String> lines = new ArrayList<>();
        for (Maintenance m : all) {
            lines.add("maintenance " + m.id() + ": " + m.title() + ", " + MaintenanceTimes.window(m.start(), m.end(),
                    now) + ", " + state(m, now) + ", " + m.targets().size() + (m.targets().size() == 1 ? " target"
                    : " targets"));
        }
        return Outcome.reply(lines);
    }

    private static String state(Maintenance m, Instant now) {
        if (m.cancelled()) {
            return "cancelled by " + m.cancelledBy() + " " + MaintenanceTimes.relative(m.cancelledAt(), now);
        }
        if (m.over() || !now.isBefore(m.end())) {
            return "over, ended " + MaintenanceTimes.relative(m.end(), now);
        }
        if (!now.isBefore(m.start())) {
            return "running, ends " + MaintenanceTimes.relative(m.end(), now);
        }
        return "scheduled, starts " + MaintenanceTimes.relative(m.start(), now);
    }

    private static Outcome cancel(CommandContext ctx, MaintenanceSchedule schedule) {
        String text = ctx.args().positional(0).orElseThrow();
        long id;
        try {
            id = Long.parseLong(text.startsWith("#") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw new UsageException("not a maintenance id: " + MaintenanceTimes.shown(text) + "; usage: "
                    + ctx.bot().prefix() + "maintenance cancel <id>");
        }
        Maintenance m = schedule.cancel(id, ctx.caller().principal());
        return Outcome.reply("cancelled maintenance " + m.id() + " (" + m.title() + "); told "
                + m.targets().size() + (m.targets().size() == 1 ? " target" : " targets"));
    }

    private static String title(List<String> words) {
        String title = String.join(" ", words).strip();
        if (title.isEmpty()) {
            throw new UsageException("a maintenance needs a title; write it first: maintenance <title...> --at TIME "
                    + "--duration D --notify TARGET...");
        }
        if (title.codePoints().anyMatch(Sanitize::isUnsafe)) {
            throw new InvalidValueException("a maintenance title must be printable text");
        }
        if (title.length() > MAX_TITLE) {
            throw new InvalidValueException("a maintenance title is at most " + MAX_TITLE + " characters, not "
                    + title.length());
        }
        return title;
    }

    private static Duration duration(String option, String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (InvalidValueException e) {
            throw new InvalidValueException("bad --" + option + ": " + e.getMessage());
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new InvalidValueException("--" + option + " is at most 7d, not " + Durations.format(d));
        }
        return d;
    }

    /** The targets as written; unquoted {@code stream > topic} words ({@code A}, {@code >}, {@code B}) join up. */
    static List<String> targets(List<String> words) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if (i + 2 < words.size() && words.get(i + 1).equals(">")) {
                out.add(words.get(i) + " > " + words.get(i + 2));
                i += 2;
            } else {
                out.add(words.get(i));
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--notify needs at least one target: [connector:]room or \"stream > topic\"");
        }
        return out;
    }
}
