package org.buildduty.exec.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * JSON helpers of the HTTP steps and service clients: strict parsing, binding the string leaves of a body, rendering
 * kept values.
 */
public final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private Json() {
    }

    /** The document, or null when the text is empty or not one JSON value. */
    public static JsonNode parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            JsonNode n = STRICT.readTree(bytes);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    /** The document, or null when the text is not one JSON value. */
    static JsonNode parse(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            JsonNode n = STRICT.readTree(text);
            return n == null || n.isMissingNode() ? null : n;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static boolean isJson(String text) {
        return parse(text) != null;
    }

    /** The command output as a document: its JSON if it is JSON, else the trimmed text as a JSON string. */
    static JsonNode document(String text) {
        JsonNode n = parse(text);
        return n != null ? n : TextNode.valueOf(text.strip());
    }

    /** A copy of a runbook structure with every string leaf passed through {@code bind}; keys stay as they are. */
    static Object bindLeaves(Object value, UnaryOperator<String> bind) {
        if (value instanceof String s) {
            return bind.apply(s);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(bindLeaves(o, bind));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), bindLeaves(v, bind)));
            return out;
        }
        return value;
    }

    /** A kept value: a string's text, other scalars as written in JSON, objects and arrays as compact JSON. */
    static String keptText(JsonNode node) {
        return node.isTextual() ? node.textValue() : node.toString();
    }

    /** An observed value for a chat line: strings bare, anything else as compact JSON, cut to 80 characters. */
    static String shown(JsonNode node) {
        return HttpText.oneLine(keptText(node), 80);
    }
}
