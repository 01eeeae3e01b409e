package org.buildduty.commands.runbook;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Escapes a parameter value for the context a template puts it in. */
final class Escapes {
    private Escapes() {
    }

    /** The value as the contents of a JSON string literal (without the surrounding quotes). */
    static String json(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The value percent-encoded as one URL path segment or query value ({@code /}, {@code ?}, {@code &} encoded). */
    static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
