package org.buildduty.commands.disk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;

/**
 * Runs the {@code disk} step kind over the {@code ssh} executor: a disk use report, a dry-run count of old files,
 * or their deletion, on the step's host, with the result as {@link OutputChannel#NOTICE} lines so rooms without live
 * output see it.
 *
 * <p>Arguments: {@code action} ({@code report}, {@code count} or {@code clean}), {@code path} and {@code root} (the
 * allowlisted root it was validated under; both checked again on the host after resolving symbolic links),
 * {@code days} (count and clean: files modified more than that many days ago), {@code top} (report: how many
 * entries, default 10). Arguments are values, never shell text: the script single-quotes them.
 *
 * <pre>{@code
 * Map.of("action", "report", "path", "/srv/builds", "root", "/srv", "top", 10)
 * // NOTICE bm01:/srv/builds: 82% used, 17.9 GiB free of 100 GiB on /dev/sda1 (mounted on /)
 * // NOTICE bm01:/srv/builds:   4.1 GiB  /srv/builds/flocker
 * Map.of("action", "clean", "path", "/srv/builds", "root", "/srv", "days", 7)
 * // NOTICE bm01:/srv/builds: freed 310 MiB (42 files older than 7d)
 * }</pre>
 */
public final class DiskExecutor implements StepExecutor {
    /** The step kind. */
    public static final String KIND = "disk";
    private static final Set<String> ACTIONS = Set.of("report", "count", "clean");

    private final StepExecutor ssh;

    /** A disk executor running its scripts through {@code ssh} (the executor of kind {@code ssh}). */
    public DiskExecutor(StepExecutor ssh) {
        this.ssh = ssh;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> bad = new LinkedHashMap<>();
        if (!ACTIONS.contains(String.valueOf(args.get("action")))) {
            bad.put("action", "must be one of report, count, clean");
        }
        for (String k : List.of("path", "root")) {
            if (!String.valueOf(args.get(k)).startsWith("/")) {
                bad.put(k, "must be an absolute path");
            }
        }
        return bad;
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        StepSpec step = request.step();
        String action = step.arg("action");
        String path = step.arg("path");
        String root = step.arg("root");
        String script;
        try {
            switch (action) {
                case "report":
                    script = DiskScripts.report(path, root);
                    break;
                case "count":
                    script = DiskScripts.count(path, root, days(step));
                    break;
                case "clean":
                    script = DiskScripts.clean(path, root, days(step));
                    break;
                default:
                    return StepResult.failed(request.host(), null, "unknown disk action \"" + action + "\"", "");
            }
        } catch (IllegalArgumentException e) {
            return StepResult.failed(request.host(), null, e.getMessage(), "");
        }
        StepSpec sshStep = new StepSpec(step.name(), ssh.kind(), Map.of("command", script), step.hosts(),
                step.parallel(), step.timeout(), step.stuckAfter(), step.onHostFailure(), null);
        Capture out = new Capture(context);
        StepResult r = ssh.execute(new ExecRequest(request.operation(), sshStep, request.host(), request.timeout(),
                request.vars()), out);
        String where = request.host() + ":" + path;
        String err = out.marked("ERR ").stream().findFirst().orElse("");
        if (!err.isEmpty()) {
            return new StepResult(StepOutcome.FAILED, request.host(), r.exitCode(), "refused: " + err, err);
        }
        if (r.outcome() != StepOutcome.SUCCEEDED) {
            return r;
        }
        List<String> lines;
        switch (action) {
            case "report":
                String real = out.marked("REAL ").stream().findFirst().orElse(path);
                lines = DiskReport.lines(where, out.marked("DF "), below(real, out.marked("DU ")), top(step));
                break;
            case "count":
                lines = List.of(where + ": " + DiskReport.tally(out.marked("COUNT "), "", step.arg("days")));
                break;
            default:
                lines = List.of(where + ": " + DiskReport.tally(out.marked("FREED "), "freed ", step.arg("days")));
                break;
        }
        lines.forEach(l -> context.output(OutputChannel.NOTICE, l));
        return StepResult.succeeded(request.host(), r.exitCode(), lines.get(lines.size() - 1));
    }

    @Override
    public void operationFinished(OperationId operation) {
        ssh.operationFinished(operation);
    }

    /** {@code du} lines naming entries relative to the directory ({@code ./name}) with its path instead. */
    private static List<String> below(String real, List<String> du) {
        String dir = real.endsWith("/") ? real : real + "/";
        return du.stream().map(l -> {
            int tab = l.indexOf('\t');
            return tab >= 0 && l.startsWith("./", tab + 1) ? l.substring(0, tab + 1) + dir + l.substring(tab + 3) : l;
        }).toList();
    }

    private static int days(StepSpec step) {
        try {
            int d = Integer.parseInt(step.arg("days"));
            if (d < 0 || d > 36500) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("days must be a whole number of days, not \"" + step.arg("days") + "\"");
        }
    }

    private static int top(StepSpec step) {
        String t = step.arg("top");
        return t.matches("[1-9][0-9]{0,2}") ? Integer.parseInt(t) : 10;
    }

    /** Keeps the marked stdout lines for parsing and passes stderr and other output through. */
    private static final class Capture implements ExecContext {
        private final ExecContext outer;
        private final List<String> lines = new ArrayList<>();

        Capture(ExecContext outer) {
            this.outer = outer;
        }

        @Override
        public void output(OutputChannel stream, String line) {
            if (stream == OutputChannel.STDOUT) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
            if (stream != OutputChannel.STDOUT || !line.startsWith("DU ")) {
                outer.output(stream, line);
            }
        }

        @Override
        public boolean cancelled() {
            return outer.cancelled();
        }

        @Override
        public void onCancel(Runnable hook) {
            outer.onCancel(hook);
        }

        List<String> marked(String marker) {
            synchronized (lines) {
                return lines.stream().filter(l -> l.startsWith(marker)).map(l -> l.substring(marker.length()))
                        .toList();
            }
        }
    }
}
