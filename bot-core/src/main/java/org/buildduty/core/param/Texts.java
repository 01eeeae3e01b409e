package org.buildduty.core.param;

/** Checks and shows untrusted text without ever echoing control characters. */
final class Texts {
    /** The longest part of a value shown in a message. */
    static final int SHOWN = 40;

    private Texts() {
    }

    /** The value in double quotes, unsafe characters as {@code ?}, cut after {@value #SHOWN} characters. */
    static String shown(String value) {
        StringBuilder sb = new StringBuilder("\"");
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            if (n == SHOWN) {
                sb.append("...");
                break;
            }
            char c = value.charAt(i);
            sb.append(unsafe(value, i) ? '?' : c);
            n++;
        }
        return sb.append('"').toString();
    }

    /**
     * True for a character that must never reach chat or a command: C0/C1 controls (newline, NUL, IRC colour and
     * bold codes, DEL), Unicode format characters (bidi overrides, zero-width joiners), line/paragraph separators,
     * and unpaired surrogates.
     */
    static boolean unsafe(String s, int i) {
        char c = s.charAt(i);
        if (Character.isISOControl(c)) {
            return true;
        }
        int type = Character.getType(c);
        if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    /** True if any character is {@link #unsafe}. */
    static boolean hasUnsafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (unsafe(s, i)) {
                return true;
            }
        }
        return false;
    }
}
