package org.buildduty.connectors.irc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns text into IRC message lines that are safe to send: no CR, LF, NUL or other control character that could end
 * the line or inject a command, and each line small enough, in UTF-8 bytes, to fit the 512-byte IRC line after the
 * server prepends {@code :nick!user@host PRIVMSG target :} when it relays the message.
 *
 * <p>Text is split at its own line breaks first; a longer line is wrapped at whitespace where there is some in the
 * second half of the budget, otherwise cut between grapheme clusters (so neither a character nor an emoji with a
 * modifier is broken); a single cluster larger than the budget is cut between code points. Blank lines are dropped
 * (IRC cannot send an empty message). Pure functions, no state.
 */
final class IrcText {
    /** An IRC line, CRLF included (RFC 1459 / 2812). */
    static final int LINE_BYTES = 512;
    /** Longest user (ident) part assumed, with the {@code ~} servers add for a missing ident. */
    static final int MAX_USER = 11;
    /** Longest host part assumed (HOSTLEN on Solanum, InspIRCd and most networks). */
    static final int MAX_HOST = 63;
    /** Smallest payload budget ever used, so a huge nick or channel name cannot make splitting impossible. */
    static final int MIN_PAYLOAD = 64;

    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\\\-_]");
    private static final Pattern GRAPHEME = Pattern.compile("\\X");

    private IrcText() {
    }

    /**
     * The most UTF-8 bytes of text one PRIVMSG to {@code target} may carry when sent as {@code nick}: 512, less
     * CRLF, less the relayed prefix {@code :nick!user@host PRIVMSG target :} with the longest user and host assumed
     * (or the real ones when longer).
     */
    static int payloadBudget(String nick, String user, String host, String target) {
        int userLen = Math.max(MAX_USER, utf8Length(user == null ? "" : user));
        int hostLen = Math.max(MAX_HOST, utf8Length(host == null ? "" : host));
        int prefix = 1 + utf8Length(nick) + 1 + userLen + 1 + hostLen + " PRIVMSG ".length() + utf8Length(target)
                + " :".length();
        return Math.max(MIN_PAYLOAD, LINE_BYTES - 2 - prefix);
    }

    /** {@link #payloadBudget(String, String, String, String)} with the user and host unknown. */
    static int payloadBudget(String nick, String target) {
        return payloadBudget(nick, null, null, target);
    }

    /**
     * Removes terminal escape sequences, and replaces every remaining C0 control character except tab (NUL, CR, LF,
     * IRC colour and formatting codes, ESC), DEL and C1 controls with {@code ?}. Line breaks are not special here:
     * callers split at them first ({@link #lines}).
     */
    static String neutralize(String text) {
        // every escape sequence starts with ESC: most answers have none, and need no regular expression run
        String s = text.indexOf('\u001b') < 0 ? text : ANSI.matcher(text).replaceAll("");
        int first = 0;
        while (first < s.length() && !isControl(s.charAt(first))) {
            first++;
        }
        if (first == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length()).append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(isControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    /** A C0 control other than tab, DEL, or a C1 control: what {@link #neutralize} replaces. */
    private static boolean isControl(char c) {
        return (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0);
    }

    /**
     * Splits {@code text} into safe lines of at most {@code maxBytes} UTF-8 bytes each: at line breaks (CRLF, CR,
     * LF, NEL, U+2028, U+2029), then by wrapping; each line neutralised, trailing whitespace trimmed, blank lines
     * dropped. Lone surrogates become U+FFFD.
     */
    static List<String> lines(String text, int maxBytes) {
        if (maxBytes < 8) {
            throw new IllegalArgumentException("budget too small: " + maxBytes);
        }
        List<String> out = new ArrayList<>();
        for (String raw : breakLines(text)) {
            String line = stripTrailing(neutralize(wellFormed(raw)));
            if (!line.isBlank()) {
                wrap(line, maxBytes, out);
            }
        }
        return out;
    }

    /**
     * The pieces of {@code text} between its line breaks (CRLF, CR, LF, NEL, U+2028, U+2029), empty ones included: what
     * a regular expression of those breaks splits it into, without running one over every answer.
     */
    static List<String> breakLines(String text) {
        List<String> out = new ArrayList<>(2);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    /**
     * Keeps the last {@code maxLines} lines: if there are more, the result is a marker line naming how many were
     * left out ({@code marker} with {@code %d} for that count) followed by the last {@code maxLines - 1} lines.
     */
    static List<String> tail(List<String> lines, int maxLines, String marker) {
        if (maxLines < 2) {
            throw new IllegalArgumentException("maxLines must be at least 2");
        }
        if (lines.size() <= maxLines) {
            return List.copyOf(lines);
        }
        int keep = maxLines - 1;
        List<String> out = new ArrayList<>(maxLines);
        out.add(String.format(marker, lines.size() - keep));
        out.addAll(lines.subList(lines.size() - keep, lines.size()));
        return out;
    }

    /** The length of {@code s} in UTF-8 bytes (a lone surrogate counts as the 3 bytes of its replacement). */
    static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (isPair(s, i)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static void wrap(String line, int maxBytes, List<String> out) {
        if (utf8Length(line) <= maxBytes) {
            out.add(line);
            return;
        }
        StringBuilder cur = new StringBuilder();
        int curBytes = 0;
        int lastSpace = -1;
        Matcher m = GRAPHEME.matcher(line);
        while (m.find()) {
            String g = m.group();
            int gb = utf8Length(g);
            if (gb > maxBytes) {
                flush(cur, out);
                curBytes = 0;
                lastSpace = -1;
                cutCodePoints(g, maxBytes, out, cur);
                curBytes = utf8Length(cur);
                continue;
            }
            if (curBytes + gb > maxBytes) {
                if (lastSpace > 0 && utf8Length(cur.subSequence(0, lastSpace)) > maxBytes / 2) {
                    String rest = cur.substring(lastSpace + 1);
                    cur.setLength(lastSpace);
                    flush(cur, out);
                    cur.append(rest);
                } else {
                    flush(cur, out);
                }
                curBytes = utf8Length(cur);
                lastSpace = -1;
                if (g.isBlank() && cur.length() == 0) {
                    continue;
                }
            }
            if (g.equals(" ") || g.equals("\t")) {
                lastSpace = cur.length();
            }
            cur.append(g);
            curBytes += gb;
        }
        flush(cur, out);
    }

    /** Cuts one oversized grapheme cluster between code points; the unfinished last piece stays in {@code cur}. */
    private static void cutCodePoints(String g, int maxBytes, List<String> out, StringBuilder cur) {
        int bytes = 0;
        for (int i = 0; i < g.length(); ) {
            int cp = g.codePointAt(i);
            String one = new String(Character.toChars(cp));
            int b = one.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + b > maxBytes) {
                flush(cur, out);
                bytes = 0;
            }
            cur.append(one);
            bytes += b;
            i += Character.charCount(cp);
        }
    }

    private static void flush(StringBuilder cur, List<String> out) {
        String s = stripTrailing(cur.toString());
        if (!s.isBlank()) {
            out.add(s);
        }
        cur.setLength(0);
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static boolean isPair(CharSequence s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** Replaces lone surrogates (which UTF-8 cannot encode) with U+FFFD. */
    private static String wellFormed(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isPair(s, i)) {
                if (sb != null) {
                    sb.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s.length()).append(s, 0, i);
                }
                sb.append('\uFFFD');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
