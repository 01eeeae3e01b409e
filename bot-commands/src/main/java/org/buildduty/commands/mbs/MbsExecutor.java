package org.buildduty.commands.mbs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;

/**
 * Runs {@code mbs} steps: cancels a module build with the configured MBS token.
 *
 * <pre>{@code
 * - name: cancel the module build
 *   mbs:
 *     cancel: "{{build}}"
 * }</pre>
 *
 * <p>The build id must be a positive integer once bound. MBS's own message is the step's failure line when it
 * refuses (the build is no longer in init, wait or build; the token is not the owner's).
 */
public final class MbsExecutor implements StepExecutor {
    /** The step kind. */
    public static final String KIND = "mbs";

    private final MbsClient client;

    public MbsExecutor(MbsClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String raw = request.boundArg("cancel", UnaryOperator.identity()).strip();
        if (!raw.matches("[1-9][0-9]{0,17}")) {
            return StepResult.failed(null, null, "not a module build id: \"" + cut(raw) + "\"", "");
        }
        long id = Long.parseLong(raw);
        context.output(OutputChannel.STDOUT, "PATCH " + client.where() + " module-builds/" + id + " state=failed");
        try {
            ModuleBuild b = client.cancel(id);
            String done = "module build " + id + " (" + b.nameStream() + ") is now " + b.stateName()
                    + (b.stateReason() == null ? "" : ": " + b.stateReason());
            context.output(OutputChannel.STDOUT, done);
            return StepResult.succeeded(null, null, done);
        } catch (MbsException e) {
            context.output(OutputChannel.STDERR, e.getMessage());
            return StepResult.failed(null, null, e.getMessage(), "");
        }
    }

    /** {@code cancel} is the one argument: a build id or a placeholder. */
    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (String key : args.keySet()) {
            if (!key.equals("cancel")) {
                problems.put(key, "unknown argument of an mbs step (known: cancel)");
            }
        }
        Object id = args.get("cancel");
        String text = id == null ? "" : id.toString();
        if (!text.contains("{{") && !text.matches("[1-9][0-9]{0,17}")) {
            problems.put("cancel", "an mbs step needs cancel: the module build id (a positive integer)");
        }
        return problems;
    }

    private static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 39) + "…";
    }
}
