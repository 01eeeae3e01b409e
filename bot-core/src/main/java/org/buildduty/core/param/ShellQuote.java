package org.buildduty.core.param;

import java.util.regex.Pattern;

/**
 * Quotes a value so a POSIX shell reads it back as exactly one word with exactly the same bytes.
 *
 * <p>Every value is single-quoted, even a harmless one; a single quote inside becomes {@code '\''}, and the empty
 * string becomes {@code ''}. Inside single quotes a shell expands nothing ({@code $}, backquotes, {@code \},
 * globs, newlines are all literal), so no value can reach the shell unquoted.
 *
 * <pre>{@code
 * ShellQuote.quote("it's $(here)")   // 'it'\''s $(here)'
 * ShellQuote.bindHost("uptime; echo {{host}}", "bm01")   // uptime; echo 'bm01'
 * }</pre>
 *
 * <p>Runbook commands keep two markers that are only known when a step runs: {@link #HOST_MARKER} (the host of a
 * fan-out run) and {@link #OPERATION_MARKER} (the operation number). Executors bind them with {@link #bindHost} and
 * {@link #bindOperation} just before running a command.
 */
public final class ShellQuote {
    /** Left in a frozen {@code command} where the current host goes. */
    public static final String HOST_MARKER = "{{host}}";

    /** Left in frozen step arguments where the operation number goes. */
    public static final String OPERATION_MARKER = "{{operation}}";

    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private ShellQuote() {
    }

    /**
     * The value as one single-quoted shell word.
     *
     * @throws IllegalArgumentException if the value holds a NUL character, which no shell word can carry
     */
    public static String quote(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a shell word cannot hold a NUL character");
        }
        StringBuilder sb = new StringBuilder(s.length() + 8).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                sb.append("'\\''");
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    /** Replaces every {@link #HOST_MARKER} in a command with the shell-quoted host name. */
    public static String bindHost(String command, String host) {
        return command.replace(HOST_MARKER, quote(host));
    }

    /**
     * Replaces every {@link #OPERATION_MARKER} with the operation number (digits only, safe in a command, a URL or
     * JSON as it is).
     *
     * @throws IllegalArgumentException if {@code operationNumber} is not 1 to 18 digits
     */
    public static String bindOperation(String text, String operationNumber) {
        if (!DIGITS.matcher(operationNumber).matches()) {
            throw new IllegalArgumentException("operation number must be digits: " + operationNumber);
        }
        return text.replace(OPERATION_MARKER, operationNumber);
    }
}
