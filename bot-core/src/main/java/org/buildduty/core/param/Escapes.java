package org.buildduty.core.param;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Escapes a value for the context a step argument puts it in. The argument's key decides: {@code command} is a
 * shell command (values shell-quoted), {@code body} a JSON document (values JSON-escaped inside a string literal),
 * {@code url} a URL (values percent-encoded); other arguments take values as they are.
 */
public final class Escapes {
    private Escapes() {
    }

    /** The escaping for a value substituted into the step argument {@code key}. */
    public static UnaryOperator<String> forArg(String key) {
        switch (key) {
            case "command":
                return ShellQuote::quote;
            case "body":
                return Escapes::json;
            case "url":
                return Escapes::url;
            default:
                return UnaryOperator.identity();
        }
    }

    /** The value as the contents of a JSON string literal (without the surrounding quotes). */
    public static String json(String value) {
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

    /** Why a value {@link #isDotSegment} holds is refused in a URL; one line, for chat. */
    public static final String DOT_SEGMENT_RULE = "must not be . or .. (or a %2e form of them): in a URL it would walk"
            + " up the path";

    /**
     * True when the value, percent-decoded (repeatedly, as far as it decodes), is {@code .} or {@code ..}: bound
     * into a URL path it would be a dot segment, which URL parsers (OkHttp included, {@code %2e} too) resolve by
     * walking up the path. {@link #url} leaves dots as they are, so such a value must be refused, not escaped.
     */
    public static boolean isDotSegment(String value) {
        String v = value;
        for (int round = 0; round < 4; round++) {
            if (v.equals(".") || v.equals("..")) {
                return true;
            }
            String decoded = v.replaceAll("(?i)%2e", ".").replaceAll("(?i)%25", "%");
            if (decoded.equals(v)) {
                return false;
            }
            v = decoded;
        }
        return false;
    }

    /** The value percent-encoded as one URL path segment or query value ({@code /}, {@code ?}, {@code &} encoded). */
    public static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
