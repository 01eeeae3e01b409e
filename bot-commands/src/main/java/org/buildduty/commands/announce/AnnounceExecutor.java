package org.buildduty.commands.announce;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.AnnounceTarget;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;

/**
 * Runs {@code announce} steps: posts {@code text} to the room {@code to} on any connector.
 *
 * <pre>{@code
 * - name: tell the room
 *   announce:
 *     to: "irc:#releng"
 *     text: "reconfig {{operation}} done on {{masters}}"
 * }</pre>
 *
 * <p>Placeholders are bound as they are (chat text needs no escaping; line breaks in bound values become spaces).
 * Without a connector id the target goes to the only connector that can post to it (a step has no room of origin).
 * An unknown or ambiguous target, or a text too long, fails the step with one line.
 */
public final class AnnounceExecutor implements StepExecutor {
    /** The step kind. */
    public static final String KIND = "announce";
    private static final Set<String> ARGS = Set.of("to", "text");

    private final Announcer announcer;

    public AnnounceExecutor(Announcer announcer) {
        this.announcer = Objects.requireNonNull(announcer, "announcer");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String to = request.boundArg("to", UnaryOperator.identity());
        String text = request.boundArg("text", UnaryOperator.identity()).replaceAll("[\\r\\n]+", " ").strip();
        if (text.isEmpty() || text.length() > Announcer.MAX_TEXT) {
            return StepResult.failed(null, null, "the announcement is " + text.length()
                    + " characters; it must be 1 to " + Announcer.MAX_TEXT, "");
        }
        try {
            ChatAddress address = announcer.resolve(to, null);
            announcer.announce(address, text);
            String done = "announced in " + address;
            context.output(OutputChannel.STDOUT, done);
            return StepResult.succeeded(null, null, done);
        } catch (UserFacingException e) {
            return StepResult.failed(null, null, e.getMessage(), "");
        }
    }

    /** {@code to} and {@code text} are required strings; a target without placeholders must parse. */
    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (String key : args.keySet()) {
            if (!ARGS.contains(key)) {
                problems.put(key, "unknown argument of an announce step (known: to, text)");
            }
        }
        Object to = args.get("to");
        if (!(to instanceof String target) || target.isBlank()) {
            problems.put("to", "an announce step needs to: the target, " + AnnounceTarget.SYNTAX);
        } else if (!target.contains("{{")) {
            try {
                AnnounceTarget.parse(target);
            } catch (UserFacingException e) {
                problems.put("to", e.getMessage());
            }
        }
        Object text = args.get("text");
        if (!(text instanceof String line) || line.isBlank()) {
            problems.put("text", "an announce step needs text: one line to post");
        } else if (line.length() > Announcer.MAX_TEXT && !line.contains("{{")) {
            problems.put("text", "at most " + Announcer.MAX_TEXT + " characters, not " + line.length());
        }
        return problems;
    }
}
