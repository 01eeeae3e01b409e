package org.buildduty.commands.runbook;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import org.buildduty.core.param.Bindings;

/**
 * Finds and replaces {@code {{name}}} placeholders in runbook templates, and checks that a placeholder in a shell
 * command stands where a single-quoted word keeps its meaning.
 */
final class Placeholders {
    /** The current host of a fan-out run; bound by the executor. */
    static final String HOST = Bindings.HOST;
    /** The operation number; bound when the step runs. */
    static final String OPERATION = Bindings.OPERATION;

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");

    /** One placeholder: its name and where it stands, {@code start} at the first brace, {@code end} after the last. */
    record Found(String name, int start, int end) {
    }

    /** What is wrong in a template, and the offset in it where that stands. */
    record Problem(String message, int at) {
    }

    /** A malformed or unclosed placeholder at offset {@code at} of the text. */
    static final class BadPlaceholder extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int at;

        BadPlaceholder(String message, int at) {
            super(message);
            this.at = at;
        }

        int at() {
            return at;
        }
    }

    private Placeholders() {
    }

    /**
     * Every placeholder in the text, in order.
     *
     * @throws BadPlaceholder with a one-line message for an unclosed or malformed placeholder
     */
    static List<Found> scan(String text) {
        List<Found> out = new ArrayList<>();
        int pos = 0;
        while (true) {
            int open = text.indexOf("{{", pos);
            if (open < 0) {
                return out;
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new BadPlaceholder("unclosed {{ (a placeholder is {{name}})", open);
            }
            String inner = text.substring(open + 2, close).strip();
            if (!NAME.matcher(inner).matches()) {
                String shown = inner.length() > 30 ? inner.substring(0, 30) + "..." : inner;
                throw new BadPlaceholder("bad placeholder {{" + shown + "}} (a placeholder is {{name}})", open);
            }
            out.add(new Found(inner, open, close + 2));
            pos = close + 2;
        }
    }

    /** The text with each placeholder replaced by {@code valueOf.apply(name)}; replacements are not rescanned. */
    static String substitute(String text, UnaryOperator<String> valueOf) {
        List<Found> found = scan(text);
        if (found.isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 32);
        int pos = 0;
        for (Found f : found) {
            sb.append(text, pos, f.start()).append(valueOf.apply(f.name()));
            pos = f.end();
        }
        return sb.append(text, pos, text.length()).toString();
    }

    /**
     * Checks where the placeholders of a shell command template stand; returns an error message, or null when every
     * placeholder is a bare word part (outside quotes and backquotes, not after {@code \} or {@code $}, no
     * here-document).
     *
     * <p>Backquotes: the shell finds the end of {@code `...`} by the next unescaped backquote, quotes or not, so a
     * backquote inside a quoted value would end the command substitution early; {@code $(...)} parses its contents
     * as a command and keeps the quoted value one word.
     *
     * <p>This is a lint for honest mistakes in a trusted template: {@code "{{x}}"} would put the quoted value inside
     * double quotes, where {@code $(...)} in it would run. It does not detect re-evaluation such as {@code eval} or
     * {@code sh -c}, which templates must not apply to placeholders.
     */
    static Problem commandProblem(String command) {
        List<Found> found = scan(command);
        if (found.isEmpty()) {
            return null;
        }
        int next = 0;
        char quote = 0;
        boolean backquote = false;
        int heredoc = -1;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (next < found.size() && found.get(next).start() < i) {
                return new Problem("{{" + found.get(next).name() + "}} must not follow a backslash",
                        found.get(next).start());   // skipped as escaped
            }
            if (next < found.size() && i == found.get(next).start()) {
                Found f = found.get(next++);
                if (backquote) {
                    return new Problem("{{" + f.name() + "}} is inside backquotes (`...`), where a quoted value can"
                            + " end the command substitution; write $(...) instead", f.start());
                }
                if (quote != 0) {
                    return new Problem("{{" + f.name() + "}} is inside " + (quote == '"' ? "double" : "single")
                            + " quotes; write it bare, it is shell-quoted for you", f.start());
                }
                if (i > 0 && command.charAt(i - 1) == '$') {
                    return new Problem("{{" + f.name() + "}} must not follow $", f.start());
                }
                i = f.end() - 1;
                continue;
            }
            if (backquote) {
                if (c == '\\') {
                    i++;
                } else if (c == '`') {
                    backquote = false;
                }
            } else if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                }
            } else if (c == '`') {
                backquote = true;
            } else if (quote == '"') {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quote = 0;
                }
            } else if (c == '\\') {
                if (next < found.size() && found.get(next).start() == i + 1) {
                    return new Problem("{{" + found.get(next).name() + "}} must not follow a backslash",
                            found.get(next).start());
                }
                i++;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '<' && i + 1 < command.length() && command.charAt(i + 1) == '<') {
                heredoc = heredoc < 0 ? i : heredoc;
                i++;
            } else if (c == '#' && (i == 0 || " \t\n;&|(".indexOf(command.charAt(i - 1)) >= 0)) {
                int nl = command.indexOf('\n', i);
                if (nl < 0) {
                    break;
                }
                while (next < found.size() && found.get(next).start() < nl) {
                    next++;
                }
                i = nl;
            }
        }
        if (heredoc >= 0) {
            return new Problem("placeholders cannot be used in a command with a here-document (<<)", heredoc);
        }
        return null;
    }

    /** The message of {@link #commandProblem}, or null. */
    static String checkCommand(String command) {
        Problem p = commandProblem(command);
        return p == null ? null : p.message();
    }

    /**
     * Checks where the placeholders of a JSON text ({@code body}) stand; returns an error message, or null. Inside a
     * JSON string literal a value is JSON-escaped and stays one string; outside one it is written as it is, so only
     * the names {@code bare} accepts (int and bool parameters, whose values are digits or true/false) may stand there.
     */
    static String checkJsonBody(String body, Predicate<String> bare) {
        List<Found> found = scan(body);
        int next = 0;
        boolean inString = false;
        for (int i = 0; i < body.length() && next < found.size(); i++) {
            if (found.get(next).start() < i) {
                return "{{" + found.get(next).name() + "}} must not follow a backslash";   // skipped as escaped
            }
            if (i == found.get(next).start()) {
                Found f = found.get(next++);
                if (!inString && !bare.test(f.name())) {
                    return "{{" + f.name() + "}} stands outside a JSON string, where a value could add JSON"
                            + " structure; only an int or bool parameter may stand bare (write \"{{" + f.name()
                            + "}}\")";
                }
                i = f.end() - 1;
                continue;
            }
            char c = body.charAt(i);
            if (inString && c == '\\') {
                i++;
            } else if (c == '"') {
                inString = !inString;
            }
        }
        return null;
    }
}
