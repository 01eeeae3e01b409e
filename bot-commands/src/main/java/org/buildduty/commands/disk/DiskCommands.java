package org.buildduty.commands.disk;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.UsageException;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.param.ParamValidator;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.time.Durations;

/**
 * The disk commands (SPEC: the buildmaster disk-full procedure), run as {@code disk} steps over SSH on one host:
 * <ul>
 *   <li>{@code disk <host> [path]}: filesystem use of the path, then its 10 largest entries (every root of the host
 *       when no path is given).
 *   <li>{@code disk clean <host> <path> --older-than 7d}: a dry run, counting the regular files older than that and
 *       their size; with {@code --delete}, after a dry run of the same request within the hour, their deletion,
 *       which needs one approval by someone else of the role and shows the dry run's count.
 * </ul>
 * A path must lie under one of the host's {@code inventory.disk_roots}, without {@code .}/{@code ..} segments or
 * shell metacharacters; the host resolves symbolic links and refuses a path leading outside its root.
 */
public final class DiskCommands {
    /** How long a dry run lets its deletion be asked for. */
    static final Duration DRY_RUN_VALID = Duration.ofHours(1);
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._+@%=,:/-]*");
    private static final Duration TIMEOUT = Duration.ofMinutes(30);
    private static final String ROLE = "releng";

    private DiskCommands() {
    }

    /** Registers {@code disk} and {@code disk clean}. */
    public static void register(CommandRules registry) {
        registry.register(CommandSpec.builder("disk").summary("disk use of an allowlisted path on a host: filesystem "
                + "use, then the largest entries").role(ROLE).positional("host path", 1, 2)
                .handler(DiskCommands::report).build());
        registry.register(CommandSpec.builder("disk clean").summary("count files older than --older-than under a "
                + "path (dry run); with --delete, delete them after approval").role(ROLE)
                .positional("host path", 2, 2)
                .valueOption("older-than", "AGE", "files modified longer ago than this, in whole days (7d)")
                .flag("delete", "delete them (after a dry run and an approval)")
                .handler(DiskCommands::clean).build());
    }

    private static Outcome report(CommandContext ctx) {
        Inventory inv = ctx.bot().inventory();
        String host = host(ctx.args().positional(0).orElseThrow(), inv);
        List<String> roots = inv.diskRoots(host);
        List<String> paths = ctx.args().positional(1).map(p -> List.of(path(p, roots))).orElse(roots);
        List<StepSpec> steps = new ArrayList<>();
        for (String p : paths) {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("action", "report");
            args.put("path", p);
            args.put("root", rootOf(p, roots));
            args.put("top", "10");
            steps.add(step("disk use of " + p, args, host));
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("host", host);
        params.put("path", String.join(",", paths));
        return Outcome.planned(new OperationPlan("disk", params, steps, ApprovalPolicy.NONE, "steps"));
    }

    private static Outcome clean(CommandContext ctx) {
        Inventory inv = ctx.bot().inventory();
        String host = host(ctx.args().positional(0).orElseThrow(), inv);
        List<String> roots = inv.diskRoots(host);
        String path = path(ctx.args().positional(1).orElseThrow(), roots);
        long days = days(ctx.args().option("older-than")
                .orElseThrow(() -> new UsageException("disk clean needs --older-than AGE, e.g. 7d")));
        boolean delete = ctx.args().flag("delete");
        Map<String, String> params = new LinkedHashMap<>();
        params.put("host", host);
        params.put("path", path);
        params.put("older-than", days + "d");
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("action", delete ? "clean" : "count");
        args.put("path", path);
        args.put("root", rootOf(path, roots));
        args.put("days", Long.toString(days));
        if (!delete) {
            params.put("mode", "dry-run");
            return Outcome.planned(new OperationPlan("disk clean", params, List.of(step("count files older than "
                    + days + "d under " + path, args, host)), ApprovalPolicy.NONE, "steps"));
        }
        params.put("dry-run", dryRun(ctx, params).orElseThrow(() -> new UsageException("no dry run of this clean-up "
                + "in the last hour; first: " + ctx.bot().prefix() + "disk clean " + host + " " + path
                + " --older-than " + days + "d")));
        params.put("mode", "delete");
        // a deletion changes the host: it holds it as an exclusive: hosts runbook would
        return Outcome.planned(new OperationPlan("disk clean", params, List.of(step("delete files older than "
                + days + "d under " + path, args, host)), ApprovalPolicy.of(ROLE, 1), "steps")
                .withExclusion(Exclusion.ofHosts()));
    }

    /** The result of the latest successful dry run of the same host, path and age within the hour. */
    private static Optional<String> dryRun(CommandContext ctx, Map<String, String> params) {
        Instant since = ctx.bot().ticker().now().minus(DRY_RUN_VALID);
        for (OperationRecord r : ctx.bot().history().recent(100, Long.MAX_VALUE)) {
            Map<String, String> p = r.plan().params();
            if (r.plan().kind().equals("disk clean") && r.state() == OperationState.SUCCEEDED
                    && "dry-run".equals(p.get("mode")) && params.get("host").equals(p.get("host"))
                    && params.get("path").equals(p.get("path")) && params.get("older-than").equals(p.get("older-than"))
                    && r.endedAt() != null && r.endedAt().isAfter(since)) {
                for (HostRunRecord h : ctx.bot().history().hostRuns(r.id())) {
                    if (h.result() != null && !h.rollback()) {
                        String line = h.result().lastLine();
                        int colon = line.indexOf(": ");
                        return Optional.of((colon >= 0 ? line.substring(colon + 2) : line) + " (" + r.id() + ")");
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static StepSpec step(String name, Map<String, Object> args, String host) {
        return new StepSpec(name, DiskExecutor.KIND, args, List.of(host), 1, TIMEOUT, null, OnHostFailure.STOP,
                null);
    }

    private static String host(String raw, Inventory inv) {
        if (!inv.hosts().contains(raw)) {
            throw new InvalidValueException("unknown host \"" + printable(raw) + "\"");
        }
        if (inv.diskRoots(raw).isEmpty()) {
            throw new InvalidValueException("no disk roots are allowlisted for " + raw + " (inventory.disk_roots)");
        }
        return raw;
    }

    /** The normalized path, under a root, without metacharacters. */
    static String path(String raw, List<String> roots) {
        String p = ParamValidator.path("path", raw, roots);
        if (!SAFE_PATH.matcher(p).matches()) {
            throw new InvalidValueException("bad value for --path: only letters, digits and ._+@%=,:/- are allowed, "
                    + "not \"" + printable(raw) + "\"");
        }
        return p;
    }

    /** The longest root the normalized path lies under. */
    private static String rootOf(String path, List<String> roots) {
        String best = null;
        for (String r : roots) {
            boolean under = path.equals(r) || r.equals("/") || path.startsWith(r + "/");
            if (under && (best == null || r.length() > best.length())) {
                best = r;
            }
        }
        if (best == null) {
            throw new InvalidValueException("\"" + printable(path) + "\" is not under an allowlisted root");
        }
        return best;
    }

    private static long days(String raw) {
        Duration d;
        try {
            d = Durations.parse(raw);
        } catch (InvalidValueException e) {
            throw new InvalidValueException("bad value for --older-than: " + e.getMessage());
        }
        if (d.toDays() < 1 || !d.equals(Duration.ofDays(d.toDays()))) {
            throw new InvalidValueException("bad value for --older-than: whole days (7d), not \"" + printable(raw)
                    + "\"");
        }
        return d.toDays();
    }

    /** Untrusted text as shown in an answer: controls, line separators, bidi overrides, lone surrogates as ?. */
    private static String printable(String s) {
        return Sanitize.forDisplay(s, 60);
    }
}
