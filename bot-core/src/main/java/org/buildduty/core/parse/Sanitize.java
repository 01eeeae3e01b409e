package org.buildduty.core.parse;

/**
 * Makes untrusted text safe to echo in a chat line: control and formatting characters become {@code ?} and long text
 * is cut, ending with {@code …}.
 *
 * <p>Replaced with {@code ?}: C0 controls (U+0000–U+001F, including tab, CR, LF and the IRC formatting codes bold
 * U+0002, colour U+0003, reset U+000F, reverse U+0016, italic U+001D and underline U+001F), DEL (U+007F), C1
 * controls (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029), the bidirectional embedding,
 * override and isolate controls (U+202A–U+202E, U+2066–U+2069) that could reorder the rest of the bot's line, and
 * unpaired surrogates. Everything else, including emoji and right-to-left letters, is kept.
 *
 * <pre>{@code
 * Sanitize.forDisplay("a\tb", 40);          // "a?b"
 * Sanitize.forDisplay("abcdefghij", 5);     // "abcd…"
 * }</pre>
 */
public final class Sanitize {
    /** The mark appended to text that was cut. */
    public static final String ELLIPSIS = "…";

    private Sanitize() {
    }

    /**
     * Returns {@code text} with unsafe characters replaced by {@code ?} and cut to at most {@code max} code points
     * (the last one being {@code …} when cut). Surrogate pairs are never split.
     *
     * @param text the untrusted text; {@code null} is shown as {@code "null"}
     * @param max the largest number of code points in the result, at least 1
     */
    public static String forDisplay(String text, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        String s = String.valueOf(text);
        boolean cut = s.codePointCount(0, s.length()) > max;
        int keep = cut ? max - 1 : max;
        StringBuilder out = new StringBuilder(Math.min(s.length(), keep * 2) + 1);
        int count = 0;
        for (int i = 0; i < s.length() && count < keep; count++) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isUnsafe(cp)) {
                out.append('?');
            } else {
                out.appendCodePoint(cp);
            }
        }
        if (cut) {
            out.append(ELLIPSIS);
        }
        return out.toString();
    }

    /** Returns {@code text} with unsafe characters replaced by {@code ?}, not cut. */
    public static String forDisplay(String text) {
        String s = String.valueOf(text);
        return forDisplay(s, Math.max(1, s.length()));
    }

    /** True for the characters {@link #forDisplay(String, int)} replaces. */
    public static boolean isUnsafe(int codePoint) {
        return codePoint < 0x20
                || (codePoint >= 0x7f && codePoint <= 0x9f)
                || codePoint == 0x2028 || codePoint == 0x2029
                || (codePoint >= 0x202a && codePoint <= 0x202e)
                || (codePoint >= 0x2066 && codePoint <= 0x2069)
                || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE);
    }
}
