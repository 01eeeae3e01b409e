package org.buildduty.core.param;

/**
 * Quotes a value so a POSIX shell reads it back as exactly one word with exactly the same bytes.
 *
 * <p>Every value is single-quoted, even a harmless one; a single quote inside becomes {@code '\''}, and the empty
 * string becomes {@code ''}. Inside single quotes a shell expands nothing ({@code $}, backquotes, {@code \},
 * globs, newlines are all literal), so no value can reach the shell unquoted.
 *
 * <pre>{@code
 * ShellQuote.quote("it's $(here)")   // 'it'\''s $(here)'
 * }</pre>
 *
 * <p>Placeholders known only when a step runs ({@code {{host}}}, {@code {{operation}}}, kept values) are bound by
 * {@code ExecRequest.bind(text, ShellQuote::quote)}.
 */
public final class ShellQuote {
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
}
