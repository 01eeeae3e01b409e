package org.buildduty.commands.mbs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Times;

/**
 * {@code mbs info <id>}, {@code mbs overview} and {@code mbs cancel <id>}: the data of {@code mbs-build info} and
 * {@code mbs-build overview}, compact enough for a chat room, and a cancel that needs the releng role and one
 * approval, then runs as an {@code mbs} step with the configured token.
 */
public final class MbsCommands {
    /** The role that may cancel module builds. */
    static final String ROLE = "releng";
    /** Components listed one per line in {@code mbs info}; past this only failed and building ones are. */
    static final int MAX_COMPONENT_LINES = 10;
    /** Builds listed by {@code mbs overview}, newest first, as the old CLI kept. */
    static final int OVERVIEW = 30;

    private final MbsClient mbs;

    private MbsCommands(MbsClient mbs) {
        this.mbs = mbs;
    }

    /** Registers the three commands against one MBS. */
    public static void register(CommandRules rules, MbsClient mbs) {
        MbsCommands c = new MbsCommands(mbs);
        rules.register(CommandSpec.builder("mbs info").summary("a module build: state, owner, components with NVR, "
                + "state and Koji task").positional("id", 1, 1).handler(c::info).build());
        rules.register(CommandSpec.builder("mbs overview").summary("module builds in init, wait or build: id, "
                + "state, submitted, components built/total, owner, module").handler(c::overview).build());
        rules.register(CommandSpec.builder("mbs cancel").summary("cancel a module build (after one approval)")
                .positional("id", 1, 1).role(ROLE).handler(c::cancel).build());
    }

    /** A module build id from chat: a positive integer, or one clear line. */
    static long id(String text) {
        String t = text.startsWith("#") ? text.substring(1) : text;
        if (!t.matches("[1-9][0-9]{0,17}")) {
            throw new InvalidValueException("a module build id is a positive number, like 570; not \""
                    + (text.length() > 30 ? text.substring(0, 29) + "…" : text) + "\"");
        }
        return Long.parseLong(t);
    }

    private Outcome info(CommandContext ctx) {
        ModuleBuild b = mbs.build(id(ctx.args().positional(0).orElseThrow()));
        List<String> lines = new ArrayList<>();
        lines.add(header(b));
        List<ComponentTask> shown = new ArrayList<>(b.components().values());
        if (shown.size() > MAX_COMPONENT_LINES) {
            shown.removeIf(t -> !t.failed() && (t.state() == null || t.state() != 0));
            if (shown.size() > MAX_COMPONENT_LINES) {
                shown = shown.subList(0, MAX_COMPONENT_LINES);
            }
        }
        for (ComponentTask t : shown) {
            lines.add(component(t));
        }
        int rest = b.components().size() - shown.size();
        if (rest > 0) {
            lines.add("… " + rest + " more components not listed: " + counts(b, shown));
        }
        return Outcome.reply(lines);
    }

    private Outcome overview(CommandContext ctx) {
        List<ModuleBuild> active = mbs.active(OVERVIEW);
        if (active.isEmpty()) {
            return Outcome.reply("MBS: no module builds in init, wait or build");
        }
        List<String> lines = new ArrayList<>();
        lines.add("MBS: " + active.size() + (active.size() == OVERVIEW ? "+" : "") + " active module builds "
                + "(id · state · submitted · built/total · owner · module)");
        for (ModuleBuild b : active) {
            lines.add("#" + b.id() + " · " + b.stateName() + " · " + submitted(b) + " · " + b.builtCount() + "/"
                    + b.components().size() + " · " + b.owner() + " · " + b.nameStream() + "-" + b.version());
        }
        return Outcome.reply(lines);
    }

    private Outcome cancel(CommandContext ctx) {
        long id = id(ctx.args().positional(0).orElseThrow());
        ModuleBuild b = mbs.fetch(id);
        if (!b.cancellable()) {
            return Outcome.reply("module build " + id + " (" + b.nameStream() + ") is " + b.stateName()
                    + "; only builds in init, wait or build can be cancelled");
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("build", Long.toString(id));
        params.put("module", b.nameStream());
        params.put("owner", String.valueOf(b.owner()));
        params.put("state", b.stateName());
        StepSpec step = new StepSpec("cancel module build " + id + " (" + b.nameStream() + ")", MbsExecutor.KIND,
                Map.of("cancel", Long.toString(id)), List.of(), 1, Duration.ofMinutes(2), null,
                OnHostFailure.STOP, null);
        return Outcome.planned(new OperationPlan("mbs cancel", params, List.of(step), ApprovalPolicy.of(ROLE, 1),
                "steps").withExclusion(Exclusion.ofTargets("module build " + id)));
    }

    private String header(ModuleBuild b) {
        StringBuilder s = new StringBuilder("mbs #").append(b.id()).append(' ').append(b.nameStream()).append('-')
                .append(b.version()).append(" by ").append(b.owner()).append(": ").append(b.stateName());
        if (b.stateReason() != null && !b.stateReason().isBlank()) {
            s.append(" (").append(b.stateReason()).append(')');
        }
        s.append(" · submitted ").append(submitted(b)).append(" · ").append(b.builtCount()).append('/')
                .append(b.components().size()).append(" built");
        if (b.kojiTag() != null) {
            s.append(" · koji tag ").append(b.kojiTag());
        }
        return s.toString();
    }

    private String component(ComponentTask t) {
        return "  " + t.packageName() + " " + t.label() + (t.nvr() == null ? "" : " " + t.nvr())
                + (t.taskId() == null ? "" : " " + mbs.taskUrl(t.taskId()));
    }

    private static String counts(ModuleBuild b, List<ComponentTask> shown) {
        Map<String, Integer> n = new LinkedHashMap<>(b.countsByLabel());
        shown.forEach(t -> n.computeIfPresent(t.label(), (k, v) -> v - 1));
        return n.entrySet().stream().filter(e -> e.getValue() > 0).map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    private static String submitted(ModuleBuild b) {
        return b.submitted() == null ? "?" : b.submitted().toString().substring(0, 10) + " "
                + Times.clock(b.submitted());
    }
}
