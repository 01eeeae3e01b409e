package org.buildduty.core.exec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one host run of a step, a value in place of an exception: executors never throw for a remote failure.
 *
 * @param outcome how it ended
 * @param host the host, or null for a step without hosts
 * @param exitCode the exit status where there is one, else null
 * @param reason why it failed (one line, bounded), or empty
 * @param lastLine the last output line, or empty
 * @param kept values the step keeps for later steps of its operation ({@code keep:} of an http step), by name;
 *     later steps see them as {@code {{name}}} through {@link ExecRequest#vars()}
 * @param notStopped after a cancel or timeout: why the executor could not stop the host's command, which may still be
 *     running there (one line, bounded); empty when it was stopped, or was not running
 */
public record StepResult(StepOutcome outcome, String host, Integer exitCode, String reason, String lastLine,
        Map<String, String> kept, String notStopped) {
    /** Longest reason or last line kept. */
    public static final int MAX_TEXT = 300;

    public StepResult {
        reason = cut(reason);
        lastLine = cut(lastLine);
        kept = kept == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(kept));
        notStopped = cut(notStopped);
    }

    /** A result that keeps these values and whose command, if it was cancelled, was stopped. */
    public StepResult(StepOutcome outcome, String host, Integer exitCode, String reason, String lastLine,
            Map<String, String> kept) {
        this(outcome, host, exitCode, reason, lastLine, kept, "");
    }

    /** A result that keeps nothing. */
    public StepResult(StepOutcome outcome, String host, Integer exitCode, String reason, String lastLine) {
        this(outcome, host, exitCode, reason, lastLine, Map.of());
    }

    /** The same result keeping these values for later steps. */
    public StepResult withKept(Map<String, String> values) {
        return new StepResult(outcome, host, exitCode, reason, lastLine, values, notStopped);
    }

    /** The same result saying why its command could not be stopped ({@link #notStopped()}). */
    public StepResult withNotStopped(String why) {
        return new StepResult(outcome, host, exitCode, reason, lastLine, kept, why);
    }

    public static StepResult succeeded(String host, Integer exitCode, String lastLine) {
        return new StepResult(StepOutcome.SUCCEEDED, host, exitCode, "", lastLine);
    }

    public static StepResult failed(String host, Integer exitCode, String reason, String lastLine) {
        return new StepResult(StepOutcome.FAILED, host, exitCode, reason, lastLine);
    }

    /** The same result with another outcome and reason (used when the runner times out or cancels a run). */
    public StepResult withOutcome(StepOutcome newOutcome, String newReason) {
        return new StepResult(newOutcome, host, exitCode, newReason, lastLine, kept, notStopped);
    }

    /** One line for chat: {@code bm73: exit 1 (last line)}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        if (host != null) {
            sb.append(host).append(": ");
        }
        if (outcome == StepOutcome.FAILED && exitCode != null) {
            sb.append("exit ").append(exitCode);
        } else {
            sb.append(outcome.label());
        }
        if (!reason.isEmpty() && !reason.equals("exit " + exitCode)) {
            sb.append(" - ").append(reason);
        }
        if (outcome.isFailure() && !lastLine.isEmpty() && !lastLine.equals(reason)) {
            sb.append(" (").append(lastLine).append(')');
        }
        return sb.toString();
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("[\\r\\n\\x00]+", " ").strip();
        return one.length() <= MAX_TEXT ? one : one.substring(0, MAX_TEXT - 1) + "…";
    }
}
