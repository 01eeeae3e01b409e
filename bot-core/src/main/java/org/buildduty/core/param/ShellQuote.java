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

    /**
     * The value as shown after {@code key=} in chat: bare when a reader cannot mistake where it ends, else quoted
     * as a shell would read it back. A value holding whitespace, {@code =}, a quote or a backslash, or an empty one,
     * is single-quoted; one holding only single quotes among those is double-quoted instead, so the common
     * {@code it's} reads {@code "it's"}.
     *
     * <pre>{@code
     * ShellQuote.display("a b=c")   // 'a b=c'
     * ShellQuote.display("it's")    // "it's"
     * ShellQuote.display("4f2a9c1") // 4f2a9c1
     * }</pre>
     */
    public static String display(String s) {
        boolean plain = !s.isEmpty();
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = !Character.isWhitespace(c) && !Character.isSpaceChar(c) && c != '=' && c != '\'' && c != '"'
                    && c != '\\';
        }
        if (plain) {
            return s;
        }
        if (s.indexOf('\'') >= 0 && s.chars().noneMatch(c -> c == '"' || c == '\\' || c == '$' || c == '`')) {
            return '"' + s + '"';
        }
        StringBuilder sb = new StringBuilder(s.length() + 8).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c == '\'' ? "'\\''" : String.valueOf(c));
        }
        return sb.append('\'').toString();
    }
}
