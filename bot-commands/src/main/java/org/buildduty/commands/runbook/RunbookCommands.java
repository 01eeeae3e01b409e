package org.buildduty.commands.runbook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.cli.Option;

import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UsageException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.param.ParamType;
import org.buildduty.core.parse.UsageFormatter;

/**
 * The {@code run} command, and one command per runbook alias ({@code reconfig}).
 *
 * <p>{@code run <runbook> [--param value | --param=value ...]} takes its tokens untouched
 * ({@link CommandSpec#rawArgs()}), because every runbook has other parameters; it checks the runbook's role
 * itself. {@code run} alone lists the runbooks. An alias command declares the runbook's parameters as Commons CLI
 * long options ({@code dry_run} is {@code --dry-run}; a bool parameter is a flag), so {@code help} shows them,
 * and requires the runbook's role. Both answer with the frozen plan; when the runbook declares the bool parameter
 * {@code dry_run} and it is given, the plan is only shown ({@link DryRun}): no operation, no approval.
 *
 * <p>Both refuse, in one line, a value starting with {@code -} unless its parameter says {@code allow_dash: true}
 * (a command could read it as an option), and a value bound into a {@code url} that is a dot segment.
 */
public final class RunbookCommands {
    private RunbookCommands() {
    }

    /** Registers {@code run} and each alias. */
    public static void register(CommandRules rules, List<Runbook> runbooks) {
        Map<String, Runbook> byName = new LinkedHashMap<>();
        runbooks.forEach(rb -> byName.put(rb.name(), rb));
        rules.register(CommandSpec.builder("run")
                .summary("start a configured runbook; \"run\" alone lists them")
                .positional("runbook args", 0, Integer.MAX_VALUE)
                .rawArgs()
                .usage("<runbook> [--param value ...]")
                .handler(new RunHandler(byName))
                .build());
        for (Runbook rb : runbooks) {
            if (!rb.alias().isEmpty()) {
                rules.register(aliasSpec(rb));
            }
        }
    }

    /** The handler of {@code run}: it knows the runbooks by name, which {@link #runbook} asks it for. */
    private record RunHandler(Map<String, Runbook> byName) implements CommandHandler {
        @Override
        public Outcome handle(CommandContext ctx) {
            return run(ctx, byName);
        }
    }

    /** The runbook {@code name} as the {@code run} command of {@code commands} knows it now (after reloads too). */
    public static Optional<Runbook> runbook(CommandRegistry commands, String name) {
        return commands.get("run").map(CommandSpec::handler)
                .flatMap(h -> h instanceof RunHandler r ? Optional.ofNullable(r.byName().get(name)) : Optional.empty());
    }

    private static Outcome run(CommandContext ctx, Map<String, Runbook> byName) {
        List<String> tokens = ctx.args().positionals();
        if (tokens.isEmpty()) {
            return Outcome.reply(list(byName));
        }
        String name = tokens.get(0);
        Runbook rb = byName.get(name);
        if (rb == null) {
            throw unknown(name, byName);
        }
        if (!rb.role().isEmpty() && !ctx.roles().contains(rb.role())) {
            throw new NotAllowedException("not allowed: run " + rb.name() + " needs role " + rb.role() + " (you are "
                    + ctx.caller() + ")");
        }
        if (tokens.size() == 2 && tokens.get(1).equals("--help") && rb.paramForOption("help").isEmpty()) {
            return Outcome.reply(help(rb));
        }
        Map<String, String> raw = parse(rb, tokens.subList(1, tokens.size()));
        return outcome(rb, raw, ctx);
    }

    /**
     * {@code --name value} and {@code --name=value} pairs keyed by parameter name; an option may be written with
     * {@code -} or {@code _} ({@code --dry-run}, {@code --dry_run}), and a bool parameter alone is {@code true}.
     */
    static Map<String, String> parse(Runbook rb, List<String> tokens) {
        Map<String, String> raw = new LinkedHashMap<>();
        String usage = "usage: run " + rb.name() + (rb.params().isEmpty() ? "" : " " + rb.synopsis());
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (!t.startsWith("--") || t.length() == 2) {
                throw new UsageException("run " + rb.name() + ": expected --param value, not \""
                        + RunbookPlanner.shown(t) + "\"; " + usage);
            }
            String key;
            String value;
            int eq = t.indexOf('=');
            Optional<ParamSpec> p = rb.paramForOption(eq > 0 ? t.substring(2, eq) : t.substring(2));
            if (eq > 0) {
                key = t.substring(2, eq);
                value = t.substring(eq + 1);
            } else if (p.isPresent() && p.get().type() == ParamType.BOOL) {
                key = t.substring(2);
                value = "true";
            } else {
                key = t.substring(2);
                if (i + 1 >= tokens.size()) {
                    throw new UsageException("run " + rb.name() + ": --" + RunbookPlanner.shown(key)
                            + " needs a value; " + usage);
                }
                value = tokens.get(++i);
            }
            String name = p.map(ParamSpec::name).orElse(key);
            if (raw.putIfAbsent(name, value) != null) {
                throw new UsageException("run " + rb.name() + ": --" + RunbookPlanner.shown(key) + " given twice");
            }
        }
        return raw;
    }

    /** The plan as an operation, or for {@code --dry-run} the plan as an answer, with no operation. */
    static Outcome outcome(Runbook rb, Map<String, String> raw, CommandContext ctx) {
        checkRoom(rb, ctx);
        OperationPlan plan = rb.plan(raw, ctx.bot().inventory());
        if (rb.hasDryRun() && DryRun.asked(plan)) {
            return Outcome.reply(DryRun.lines(plan));
        }
        return Outcome.planned(plan);
    }

    /** Refuses, in one line naming its rooms, a runbook started outside the rooms it lists. */
    static void checkRoom(Runbook rb, CommandContext ctx) {
        ChatAddress where = ctx.message().room();
        if (!rb.startsIn(where)) {
            throw new NotAllowedException("not here: " + rb.name() + " starts only in " + String.join(", ", rb.rooms())
                    + " (this is " + where.connectorId() + ":" + where.room() + ")");
        }
    }

    private static List<String> list(Map<String, Runbook> byName) {
        if (byName.isEmpty()) {
            return List.of("no runbooks are configured");
        }
        List<String> lines = new ArrayList<>();
        lines.add("runbooks (run <runbook> [--param value ...]):");
        for (Runbook rb : byName.values()) {
            StringBuilder sb = new StringBuilder(rb.name());
            if (!rb.description().isEmpty()) {
                sb.append(" - ").append(rb.description());
            }
            List<String> notes = new ArrayList<>();
            if (!rb.alias().isEmpty() && !rb.alias().equals(rb.name())) {
                notes.add("alias " + rb.alias());
            }
            if (!rb.role().isEmpty()) {
                notes.add("role " + rb.role());
            }
            if (rb.approval().isRequired()) {
                notes.add("needs approval");
            }
            if (!rb.rooms().isEmpty()) {
                notes.add("only in " + String.join(", ", rb.rooms()));
            }
            if (!notes.isEmpty()) {
                sb.append(" (").append(String.join(", ", notes)).append(')');
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    private static UserFacingException unknown(String name, Map<String, Runbook> byName) {
        String shown = RunbookPlanner.shown(name);
        String all = byName.isEmpty() ? "none are configured" : "runbooks: " + String.join(", ", byName.keySet());
        Optional<String> close = closest(name, byName.keySet());
        return new UserFacingException("unknown runbook \"" + shown + "\""
                + close.map(c -> "; did you mean " + c + "?").orElse(";") + " " + all);
    }

    /** The name with the smallest edit distance (at most 2; a prefix either way counts as 2), if any. */
    static Optional<String> closest(String typed, Iterable<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            int d = distance(typed, n);
            if (d > 2 && typed.length() >= 3 && (n.startsWith(typed) || typed.startsWith(n))) {
                d = 2;
            }
            if (d <= 2 && d < bestDistance) {
                best = n;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * What {@code help run <name>} and {@code run <name> --help} answer, as {@code help <alias>} does: the usage with
     * every parameter, its description and its default (or that it is required), the role it needs.
     *
     * @throws UserFacingException naming the closest runbooks when there is no runbook {@code name}
     */
    public static List<String> help(CommandRegistry commands, String name) {
        Map<String, Runbook> byName = commands.get("run").map(CommandSpec::handler)
                .flatMap(h -> h instanceof RunHandler r ? Optional.of(r.byName()) : Optional.empty())
                .orElse(Map.of());
        Runbook rb = byName.get(name);
        if (rb == null) {
            throw unknown(name, byName);
        }
        return help(rb);
    }

    private static List<String> help(Runbook rb) {
        List<String> lines = new ArrayList<>(UsageFormatter.help(spec(rb, rb.name())).lines().toList());
        lines.set(0, "run " + rb.name() + (rb.params().isEmpty() ? "" : " " + rb.synopsis()));
        if (!rb.alias().isEmpty()) {
            lines.add("alias: " + rb.alias());
        }
        return lines;
    }

    private static CommandSpec aliasSpec(Runbook rb) {
        return spec(rb, rb.alias());
    }

    /** The command {@code name} that starts {@code rb}, its parameters as options. */
    private static CommandSpec spec(Runbook rb, String name) {
        CommandSpec.Builder b = CommandSpec.builder(name)
                .summary(rb.description().isEmpty() ? "run the " + rb.name() + " runbook" : rb.description())
                .positional("", 0, 0);
        if (!rb.role().isEmpty()) {
            b.role(rb.role());
        }
        for (ParamSpec p : rb.params()) {
            String desc = p.description();
            if (p.defaultValue() != null) {
                desc = (desc.isEmpty() ? "" : desc + " ") + "(default: " + p.defaultValue() + ")";
            } else {
                desc = (desc.isEmpty() ? "" : desc + " ") + "(required)";
            }
            if (p.type() == ParamType.BOOL) {
                b.flag(Runbook.option(p), p.description());
            } else {
                b.option(Option.builder().longOpt(Runbook.option(p)).hasArg().argName(Runbook.argName(p)).desc(desc)
                        .get());
                if (p.allowDash()) {
                    b.dashValue(Runbook.option(p));
                }
            }
        }
        return b.handler(ctx -> {
            Map<String, String> raw = new LinkedHashMap<>();
            for (ParamSpec p : rb.params()) {
                if (p.type() == ParamType.BOOL) {
                    if (ctx.args().flag(Runbook.option(p))) {
                        raw.put(p.name(), "true");
                    }
                } else {
                    ctx.args().option(Runbook.option(p)).ifPresent(v -> raw.put(p.name(), v));
                }
            }
            return outcome(rb, raw, ctx);
        }).build();
    }
}
