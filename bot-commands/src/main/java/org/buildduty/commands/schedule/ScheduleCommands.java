package org.buildduty.commands.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.Schedule;
import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.time.Durations;

/**
 * {@code schedules} lists the scheduled runbooks with their next run; {@code schedules pause NAME} and
 * {@code schedules resume NAME} (role {@value #ROLE} or the runbook's own role) stop and restart one, journaled so
 * it stays so across restarts. Runs due while paused are not run later.
 */
public final class ScheduleCommands {
    /** Besides the runbook's own role, who may pause and resume a schedule. */
    public static final String ROLE = "releng";

    private ScheduleCommands() {
    }

    /** Registers {@code schedules}, {@code schedules pause} and {@code schedules resume}. */
    public static void register(CommandRules rules, ScheduleService service) {
        rules.register(CommandSpec.builder("schedules")
                .summary("scheduled runbooks with their next run (and whether paused)")
                .handler(ctx -> Outcome.reply(list(service))).build());
        rules.register(CommandSpec.builder("schedules pause")
                .summary("pause a runbook's schedule (role " + ROLE + " or the runbook's role)")
                .positional("runbook", 1, 1).handler(ctx -> pause(ctx, service, true)).build());
        rules.register(CommandSpec.builder("schedules resume")
                .summary("resume a paused runbook's schedule (role " + ROLE + " or the runbook's role)")
                .positional("runbook", 1, 1).handler(ctx -> pause(ctx, service, false)).build());
    }

    private static List<String> list(ScheduleService service) {
        List<ScheduleService.Listed> all = service.list();
        if (all.isEmpty()) {
            return List.of("no runbook has a schedule (add schedule: {cron: ..., notify: ...} to one)");
        }
        Instant now = service.now();
        List<String> out = new ArrayList<>();
        for (ScheduleService.Listed l : all) {
            Schedule s = l.schedule();
            String next = l.next().map(t -> ScheduleService.when(t, s) + " (in "
                    + Durations.format(Duration.between(now, t).isNegative() ? Duration.ZERO
                            : Duration.between(now, t)) + ")").orElse("never");
            out.add(l.runbook().name() + ": \"" + s.cron() + "\"" + (s.zone().getId().equals("Z") ? " UTC"
                    : " " + s.zone().getId()) + ", " + (l.paused() ? "PAUSED" + (l.pausedBy() == null ? ""
                    : " by " + l.pausedBy()) + ", would run " : "next ") + next + ", notify "
                    + s.notifyTarget() + ", on_overlap " + lower(s.onOverlap()) + ", misfire " + lower(s.misfire()));
        }
        return out;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static Outcome pause(CommandContext ctx, ScheduleService service, boolean pause) {
        String name = ctx.args().positional(0).orElseThrow();
        Runbook rb = service.runbook(name).orElseThrow(() -> new UserFacingException("no schedule \""
                + Sanitize.forDisplay(name, 60) + "\" (schedules: "
                + (service.names().isEmpty() ? "none" : String.join(", ", service.names())) + ")"));
        boolean allowed = ctx.bot().isOwner(ctx.caller()) || ctx.roles().contains(ROLE)
                || !rb.role().isEmpty() && ctx.roles().contains(rb.role());
        if (!allowed) {
            throw new NotAllowedException("not allowed: schedules " + (pause ? "pause" : "resume") + " needs role "
                    + ROLE + (rb.role().isEmpty() || rb.role().equals(ROLE) ? "" : " or " + rb.role()) + " (you are "
                    + ctx.caller() + ")");
        }
        return Outcome.reply(service.setPaused(rb, pause, ctx.caller().toString()));
    }
}
