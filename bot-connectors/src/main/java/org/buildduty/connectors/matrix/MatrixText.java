package org.buildduty.connectors.matrix;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Event contents the bot sends, and the text it reads. Bot output is {@code m.notice} (clients never auto-reply to
 * it), with the plain text as {@code body} and a minimal, escaped HTML rendering as {@code formatted_body}:
 * {@code `code`} and {@code **bold**} spans and line breaks, nothing else.
 */
final class MatrixText {
    static final String HTML = "org.matrix.custom.html";
    private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern BOLD = Pattern.compile("\\*\\*([^*\\n]+)\\*\\*");
    private static final String CUT = "\n[… cut]";
    /** Past this many UTF-8 bytes of HTML the notice is sent as plain text only, to stay under the event limit. */
    private static final int MAX_HTML_BYTES = 24 * 1024;

    private MatrixText() {
    }

    /** A notice: {@code msgtype}, {@code body}, {@code format} and {@code formatted_body}. */
    static ObjectNode notice(String text) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("msgtype", "m.notice");
        c.put("body", text);
        String html = html(text);
        if (html.getBytes(StandardCharsets.UTF_8).length <= MAX_HTML_BYTES) {
            c.put("format", HTML);
            c.put("formatted_body", html);
        }
        return c;
    }

    /** A notice in a thread rooted at {@code root}, with the reply fallback for clients without threads. */
    static ObjectNode inThread(String text, String root) {
        ObjectNode c = notice(text);
        ObjectNode rel = c.putObject("m.relates_to");
        rel.put("rel_type", "m.thread");
        rel.put("event_id", root);
        rel.put("is_falling_back", true);
        rel.putObject("m.in_reply_to").put("event_id", root);
        return c;
    }

    /** An edit of {@code original}: a {@code "* "} fallback, the whole new content, and the replace relation only. */
    static ObjectNode edit(String text, String original) {
        ObjectNode c = notice("* " + text);
        c.set("m.new_content", notice(text));
        ObjectNode rel = c.putObject("m.relates_to");
        rel.put("rel_type", "m.replace");
        rel.put("event_id", original);
        return c;
    }

    /** The minimal HTML of a text: everything escaped, then code and bold spans, then line breaks. */
    static String html(String text) {
        String s = escape(text);
        Matcher m = CODE.matcher(s);
        s = m.replaceAll(r -> Matcher.quoteReplacement("<code>" + r.group(1) + "</code>"));
        m = BOLD.matcher(s);
        s = m.replaceAll(r -> Matcher.quoteReplacement("<strong>" + r.group(1) + "</strong>"));
        return s.replace("\n", "<br/>");
    }

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Cuts a text to at most {@code maxBytes} UTF-8 bytes (on a character boundary), marking the cut. */
    static String fit(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int budget = maxBytes - CUT.getBytes(StandardCharsets.UTF_8).length;
        int used = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + n > budget) {
                break;
            }
            used += n;
            i += Character.charCount(cp);
        }
        return text.substring(0, i) + CUT;
    }

    /** The text of a received body without a legacy reply fallback (leading {@code > } lines and a blank line). */
    static String stripReplyFallback(String body) {
        if (!body.startsWith(">")) {
            return body;
        }
        String[] lines = body.split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].startsWith(">")) {
            i++;
        }
        if (i < lines.length && lines[i].isEmpty()) {
            i++;
        }
        return String.join("\n", Arrays.asList(lines).subList(i, lines.length));
    }
}
