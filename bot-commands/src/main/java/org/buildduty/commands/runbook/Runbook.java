package org.buildduty.commands.runbook;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.param.ParamType;

/**
 * A runbook loaded from a YAML file: typed parameters and step templates, turned into a frozen
 * {@link OperationPlan} by {@link #plan}.
 *
 * @param name what {@code run <name>} takes; {@code [a-z][a-z0-9-]*}
 * @param alias a chat command of its own ({@code reconfig}), or empty
 * @param description one line for {@code run} and {@code help}
 * @param role the role needed to start it, or empty for anyone (the file says {@code role: anyone})
 * @param approval who must approve before it runs
 * @param params the parameters in declaration order
 * @param steps the step templates in order
 * @param unit what the status line counts: the file's {@code unit}, else {@code hosts} when a step fans out, else
 *     {@code steps}
 * @param onRestart what a restart does if the bot died while it ran ({@code on_restart: report | rollback})
 * @param rooms where it may start, as {@code <connector-id>:<room>} ({@code libera:#releng}, {@code zulip:engineering},
 *     {@code console:console}); empty for anywhere the bot is
 * @param exclusion what it holds while live ({@code exclusive}, {@code locks}) and whether it queues or refuses on a
 *     conflict ({@code on_conflict})
 * @param source the file it was read from
 * @param schedule when it runs by itself ({@code schedule:}), or null
 */
public record Runbook(String name, String alias, String description, String role, ApprovalPolicy approval,
        List<ParamSpec> params, List<StepTemplate> steps, String unit, OnRestart onRestart, List<String> rooms,
        Exclusion exclusion, String source, Schedule schedule) {
    /** What a runbook file says for {@code role} when any identity may start it. */
    public static final String ANYONE = "anyone";

    public Runbook {
        Objects.requireNonNull(name, "name");
        alias = alias == null ? "" : alias;
        description = description == null ? "" : description;
        role = role == null ? "" : role;
        approval = approval == null ? ApprovalPolicy.NONE : approval;
        params = List.copyOf(params);
        steps = List.copyOf(steps);
        unit = unit == null || unit.isEmpty() ? "steps" : unit;
        rooms = rooms == null ? List.of() : List.copyOf(rooms);
        exclusion = exclusion == null ? Exclusion.RUNBOOK : exclusion;
        source = source == null ? "" : source;
    }

    /** A runbook without a schedule. */
    public Runbook(String name, String alias, String description, String role, ApprovalPolicy approval,
            List<ParamSpec> params, List<StepTemplate> steps, String unit, OnRestart onRestart, List<String> rooms,
            Exclusion exclusion, String source) {
        this(name, alias, description, role, approval, params, steps, unit, onRestart, rooms, exclusion, source,
                null);
    }

    /** Its {@code schedule:}, if it has one. */
    public Optional<Schedule> scheduled() {
        return Optional.ofNullable(schedule);
    }

    /**
     * True if it may start from {@code where}: it names no rooms, or names this connector and room (any thread of
     * it). An IRC channel ({@code #name}) matches whatever its letter case, as IRC compares channel names.
     */
    public boolean startsIn(ChatAddress where) {
        if (rooms.isEmpty()) {
            return true;
        }
        for (String r : rooms) {
            int colon = r.indexOf(':');
            String connector = r.substring(0, colon);
            String room = r.substring(colon + 1);
            if (connector.equals(where.connectorId()) && (room.equals(where.room())
                    || room.startsWith("#") && room.equalsIgnoreCase(where.room()))) {
                return true;
            }
        }
        return false;
    }

    /** The declared parameter of that name. */
    public Optional<ParamSpec> param(String paramName) {
        return params.stream().filter(p -> p.name().equals(paramName)).findFirst();
    }

    /**
     * Validates the given parameters, fills in defaults and substitutes every step: the frozen plan.
     *
     * <p>Values go into a {@code command} shell-quoted, into a string {@code body} JSON-escaped (the template writes
     * the quotes: {@code "{\"rev\": \"{{revision}}\"}"}), into a {@code url} percent-encoded, and anywhere else as
     * they are. {@code hosts} becomes the hosts of the group or host parameter. {@code {{host}}} and
     * {@code {{operation}}} stay as markers for the executor (see {@code ExecRequest.bind}).
     *
     * @param rawParams parameter name (without {@code --}) → the text typed
     * @throws org.buildduty.core.InvalidValueException for an unknown, missing or invalid parameter
     */
    public OperationPlan plan(Map<String, String> rawParams, Inventory inventory) {
        return RunbookPlanner.plan(this, rawParams, inventory);
    }

    /** The option synopsis, e.g. {@code [--masters GROUP] --message STRING}. */
    public String synopsis() {
        StringBuilder sb = new StringBuilder();
        for (ParamSpec p : params) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            String opt = p.type() == ParamType.BOOL ? "--" + option(p) : "--" + option(p) + " " + argName(p);
            sb.append(p.required() ? opt : "[" + opt + "]");
        }
        return sb.toString();
    }

    /**
     * The command line option of a parameter: its name with {@code _} written {@code -} ({@code dry_run} is
     * {@code --dry-run}); {@code run} also takes the name as declared.
     */
    public static String option(ParamSpec p) {
        return p.name().replace('_', '-');
    }

    /** The parameter a typed option ({@code dry-run} or {@code dry_run}, without {@code --}) names. */
    public Optional<ParamSpec> paramForOption(String typed) {
        return params.stream().filter(p -> option(p).equals(typed) || p.name().equals(typed)).findFirst();
    }

    /** True when it declares the bool parameter {@code dry_run}: {@code --dry-run} answers with the plan. */
    public boolean hasDryRun() {
        return param(DryRun.PARAM).map(p -> p.type() == ParamType.BOOL).orElse(false);
    }

    /** The placeholder shown for a parameter's value: its type, or its choices for an enum. */
    static String argName(ParamSpec p) {
        if (p.type() == ParamType.ENUM) {
            return String.join("|", p.choices());
        }
        return p.type() == ParamType.INT ? "N" : p.type().name();
    }
}
