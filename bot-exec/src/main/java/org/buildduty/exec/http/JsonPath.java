package org.buildduty.exec.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;

/**
 * Finds one value in a JSON document by a small JSONPath-like expression, as runbooks write it in {@code keep:} and
 * in {@code wait_until} conditions.
 *
 * <p>A path starts with {@code $} (the whole document) and goes on with any of: {@code .name} (a member whose name
 * is letters, digits, {@code _} or {@code -}), {@code ['any key']} or {@code ["any key"]} (a member by quoted name;
 * {@code \'}, {@code \"} and {@code \\} escape), {@code [2]} (an array element; {@code [-1]} is the last one). A
 * final {@code .length()} gives the size of the array or object, or the length of the string, found there. There are
 * no wildcards, filters or recursive descent.
 *
 * <pre>{@code
 * JsonPath.parse("$.builds[0].buildid").find(doc)       // Optional of the node, empty when missing
 * JsonPath.parse("$['meta']['total']")
 * JsonPath.parse("$.result[1]['2']")                    // Buildbot's force result: the build request id
 * JsonPath.parse("$.tasks.rpms.length()")
 * }</pre>
 */
public final class JsonPath {
    private static final String LENGTH = ".length()";

    private final String text;
    private final List<Object> segments;
    private final boolean length;

    private JsonPath(String text, List<Object> segments, boolean length) {
        this.text = text;
        this.segments = List.copyOf(segments);
        this.length = length;
    }

    /**
     * Parses a path.
     *
     * @throws IllegalArgumentException with a one-line message that quotes the path and says what is wrong where
     */
    public static JsonPath parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty JSON path (write e.g. $.build.id)");
        }
        if (t.charAt(0) != '$') {
            throw bad(t, "must start with $ (e.g. $.build.id)", 0);
        }
        boolean length = t.endsWith(LENGTH);
        String body = length ? t.substring(0, t.length() - LENGTH.length()) : t;
        List<Object> segments = new ArrayList<>();
        int i = 1;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == '.') {
                int start = i + 1;
                int end = start;
                while (end < body.length() && nameChar(body.charAt(end))) {
                    end++;
                }
                if (end == start) {
                    throw bad(t, "expected a member name after .", i);
                }
                segments.add(body.substring(start, end));
                i = end;
            } else if (c == '[') {
                i = bracket(t, body, i, segments);
            } else if (c == '(') {
                throw bad(t, "only .length() may end a path", i);
            } else {
                throw bad(t, "unexpected " + shown(c) + " (use .name, ['key'] or [index])", i);
            }
        }
        return new JsonPath(t, segments, length);
    }

    /** Reads one {@code [...]} at {@code open}; returns the position after it. */
    private static int bracket(String t, String body, int open, List<Object> segments) {
        int i = open + 1;
        if (i >= body.length()) {
            throw bad(t, "unclosed [", open);
        }
        char q = body.charAt(i);
        if (q == '\'' || q == '"') {
            StringBuilder key = new StringBuilder();
            i++;
            while (true) {
                if (i >= body.length()) {
                    throw bad(t, "unclosed quote", open + 1);
                }
                char c = body.charAt(i);
                if (c == '\\' && i + 1 < body.length()) {
                    key.append(body.charAt(i + 1));
                    i += 2;
                } else if (c == q) {
                    i++;
                    break;
                } else {
                    key.append(c);
                    i++;
                }
            }
            if (i >= body.length() || body.charAt(i) != ']') {
                throw bad(t, "expected ] after the quoted key", i);
            }
            segments.add(key.toString());
            return i + 1;
        }
        int close = body.indexOf(']', i);
        if (close < 0) {
            throw bad(t, "unclosed [", open);
        }
        String index = body.substring(i, close).strip();
        if (!index.matches("-?[0-9]{1,9}")) {
            throw bad(t, "expected an index like [0] or [-1], or a quoted key like ['name'], not [" + index + "]",
                    open);
        }
        segments.add(Integer.valueOf(index));
        return close + 1;
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    private static String shown(char c) {
        return c < 0x20 || c == 0x7f ? "control character" : "\"" + c + "\"";
    }

    private static IllegalArgumentException bad(String text, String what, int at) {
        String shown = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        return new IllegalArgumentException("bad JSON path \"" + shown + "\": " + what + " (at character " + (at + 1)
                + ")");
    }

    /** The value at this path, or empty when some part of it is missing (or has the wrong shape). */
    public Optional<JsonNode> find(JsonNode root) {
        JsonNode node = root;
        for (Object segment : segments) {
            if (node == null) {
                return Optional.empty();
            }
            if (segment instanceof Integer index) {
                if (!node.isArray()) {
                    return Optional.empty();
                }
                node = node.get(index < 0 ? node.size() + index : index);
            } else {
                node = node.isObject() ? node.get((String) segment) : null;
            }
        }
        if (node == null || node.isMissingNode()) {
            return Optional.empty();
        }
        if (!length) {
            return Optional.of(node);
        }
        if (node.isArray() || node.isObject()) {
            return Optional.of(IntNode.valueOf(node.size()));
        }
        if (node.isTextual()) {
            String s = node.textValue();
            return Optional.of(IntNode.valueOf(s.codePointCount(0, s.length())));
        }
        return Optional.empty();
    }

    /** The path as written (trimmed). */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonPath other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
