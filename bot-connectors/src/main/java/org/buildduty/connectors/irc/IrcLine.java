package org.buildduty.connectors.irc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line received from an IRC server, parsed: IRCv3 tags (unescaped), the source prefix, the command (upper case)
 * and its parameters (the trailing one without its colon).
 *
 * <pre>{@code
 * IrcLine l = IrcLine.parse("@account=alice :al!a@host PRIVMSG #t :hi there");
 * l.tag("account");  // "alice"
 * l.nick();          // "al"
 * l.param(1);        // "hi there"
 * }</pre>
 */
record IrcLine(Map<String, String> tags, String source, String command, List<String> params) {

    /** Parses a raw line (without CRLF); a line with no command gives command "". */
    static IrcLine parse(String raw) {
        String s = raw;
        Map<String, String> tags = Map.of();
        if (s.startsWith("@")) {
            int sp = s.indexOf(' ');
            tags = parseTags(s.substring(1, sp < 0 ? s.length() : sp));
            s = sp < 0 ? "" : s.substring(sp + 1);
        }
        s = stripLeading(s);
        String source = "";
        if (s.startsWith(":")) {
            int sp = s.indexOf(' ');
            source = s.substring(1, sp < 0 ? s.length() : sp);
            s = sp < 0 ? "" : stripLeading(s.substring(sp + 1));
        }
        List<String> parts = new ArrayList<>();
        while (!s.isEmpty()) {
            if (s.startsWith(":") && !parts.isEmpty()) {
                parts.add(s.substring(1));
                break;
            }
            int sp = s.indexOf(' ');
            parts.add(sp < 0 ? s : s.substring(0, sp));
            s = sp < 0 ? "" : stripLeading(s.substring(sp + 1));
        }
        String command = parts.isEmpty() ? "" : parts.remove(0).toUpperCase(Locale.ROOT);
        return new IrcLine(tags, source, command, Collections.unmodifiableList(parts));
    }

    /** A tag's value ("" for a tag without one), or null if absent. */
    String tag(String key) {
        return tags.get(key);
    }

    /** Parameter {@code i}, or "" if there are fewer. */
    String param(int i) {
        return i < params.size() ? params.get(i) : "";
    }

    /** The last parameter, or "". */
    String last() {
        return params.isEmpty() ? "" : params.get(params.size() - 1);
    }

    /** The nick of a {@code nick!user@host} source (the whole source for a server). */
    String nick() {
        int bang = source.indexOf('!');
        if (bang >= 0) {
            return source.substring(0, bang);
        }
        int at = source.indexOf('@');
        return at >= 0 ? source.substring(0, at) : source;
    }

    /** The user part of the source, or "". */
    String user() {
        int bang = source.indexOf('!');
        int at = source.indexOf('@');
        return bang >= 0 && at > bang ? source.substring(bang + 1, at) : "";
    }

    /** The host part of the source, or "". */
    String host() {
        int at = source.indexOf('@');
        return at >= 0 ? source.substring(at + 1) : "";
    }

    /** True for a numeric reply with this code. */
    boolean isNumeric(String code) {
        return command.equals(code);
    }

    /** A nick or channel folded for RFC 1459 comparison ({@code []\~} are the upper case of {@code {}|^}). */
    static String fold(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            } else if (c == '[') {
                c = '{';
            } else if (c == ']') {
                c = '}';
            } else if (c == '\\') {
                c = '|';
            } else if (c == '~') {
                c = '^';
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static Map<String, String> parseTags(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String t : text.split(";")) {
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            tags.put(eq < 0 ? t : t.substring(0, eq), eq < 0 ? "" : unescape(t.substring(eq + 1)));
        }
        return Collections.unmodifiableMap(tags);
    }

    /** IRCv3 tag value unescaping: {@code \:} ; {@code \s} space, {@code \\}, {@code \r}, {@code \n}. */
    private static String unescape(String v) {
        if (v.indexOf('\\') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= v.length()) {
                break;
            }
            char e = v.charAt(i);
            sb.append(e == ':' ? ';' : e == 's' ? ' ' : e == 'r' ? '\r' : e == 'n' ? '\n' : e);
        }
        return sb.toString();
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return s.substring(i);
    }
}
