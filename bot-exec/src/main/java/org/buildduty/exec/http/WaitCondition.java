package org.buildduty.exec.http;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A test on a JSON document, as a {@code wait_until} step writes it in {@code until:} and {@code fail_if:}.
 *
 * <p>A condition is a mapping of a {@code path} ({@link JsonPath}) and one operator: {@code equals},
 * {@code not_equals}, {@code in} (a list), {@code not_in}, {@code lt}, {@code le}, {@code gt}, {@code ge} (numbers), or
 * {@code exists} ({@code true} or {@code false}); or {@code all:} / {@code any:} with a list of conditions. Runbook
 * scalars arrive as text, so comparisons are lenient about type: {@code equals: 3} matches the number 3 and the string
 * {@code "3"}, {@code equals: true} matches {@code true} and {@code "true"}, {@code equals: null} matches
 * {@code null}; lists and mappings compare element by element. The ordering operators compare numbers (a string
 * holding a number counts). A missing value satisfies only {@code exists: false}.
 *
 * <pre>{@code
 * WaitCondition.parse(Map.of("path", "$.state_name", "in", List.of("done", "ready")))
 * WaitCondition.parse(Map.of("all", List.of(Map.of("path", "$.complete", "equals", "true"),
 *                                       Map.of("path", "$.results", "gt", "0"))))
 * }</pre>
 */
public final class WaitCondition {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPERATORS = List.of("equals", "not_equals", "in", "not_in", "lt", "le", "gt",
            "ge", "exists");
    private static final String SHAPE = "a condition is a mapping like { path: $.state, equals: done }, or"
            + " { all: [...] } or { any: [...] } of conditions";

    private final Node root;

    private WaitCondition(Node root) {
        this.root = root;
    }

    /**
     * Reads a condition from a runbook value (maps, lists and scalars).
     *
     * @throws IllegalArgumentException with a one-line message naming the part that is wrong
     */
    public static WaitCondition parse(Object spec) {
        return new WaitCondition(node(spec, ""));
    }

    /** True when the condition holds for {@code document}. */
    public boolean holds(JsonNode document) {
        return root.holds(document);
    }

    /** The distinct paths the condition reads, in the order written. */
    public List<JsonPath> paths() {
        Set<JsonPath> out = new LinkedHashSet<>();
        root.collect(out);
        return List.copyOf(out);
    }

    /** The condition as one line, e.g. {@code $.state_name in ["done", "ready"]}. */
    public String describe() {
        return root.describe();
    }

    @Override
    public String toString() {
        return describe();
    }

    private interface Node {
        boolean holds(JsonNode doc);

        void collect(Set<JsonPath> out);

        String describe();
    }

    private static Node node(Object spec, String where) {
        if (!(spec instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(at(where) + SHAPE);
        }
        if (map.containsKey("all") || map.containsKey("any")) {
            String op = map.containsKey("all") ? "all" : "any";
            if (map.size() != 1) {
                throw new IllegalArgumentException(at(where) + op + " stands alone in its mapping, not with "
                        + others(map, op));
            }
            Object list = map.get(op);
            if (!(list instanceof List<?> items) || items.isEmpty()) {
                throw new IllegalArgumentException(at(where) + op + " needs a non-empty list of conditions");
            }
            List<Node> parts = new ArrayList<>();
            int i = 0;
            for (Object item : items) {
                parts.add(node(item, (where.isEmpty() ? "" : where + ".") + op + "[" + i++ + "]"));
            }
            return new Group(op.equals("all"), parts);
        }
        List<String> unknown = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        for (Object key : map.keySet()) {
            String k = String.valueOf(key);
            if (OPERATORS.contains(k)) {
                ops.add(k);
            } else if (!k.equals("path")) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(at(where) + "unknown key \"" + unknown.get(0) + "\" in a condition"
                    + " (known: path, " + String.join(", ", OPERATORS) + ", all, any)");
        }
        Object pathText = map.get("path");
        if (!(pathText instanceof String pathString)) {
            throw new IllegalArgumentException(at(where) + "a condition needs a path, e.g. path: $.state");
        }
        JsonPath path = JsonPath.parse(pathString);
        if (ops.size() != 1) {
            throw new IllegalArgumentException(at(where) + (ops.isEmpty()
                    ? "a condition needs one operator: " + String.join(", ", OPERATORS)
                    : "a condition has one operator, not " + String.join(" and ", ops)));
        }
        String op = ops.get(0);
        return test(path, op, map.get(op), at(where) + op);
    }

    private static Node test(JsonPath path, String op, Object value, String where) {
        switch (op) {
            case "in":
            case "not_in":
                if (!(value instanceof List<?> choices) || choices.isEmpty()) {
                    throw new IllegalArgumentException(where + " needs a non-empty list, e.g. [done, ready]");
                }
                return new Test(path, op, List.copyOf(choices), null);
            case "lt":
            case "le":
            case "gt":
            case "ge":
                BigDecimal number = number(value);
                if (number == null) {
                    throw new IllegalArgumentException(where + " needs a number, not " + shown(value));
                }
                return new Test(path, op, value, number);
            case "exists":
                String b = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
                boolean bool = b.equals("true") || b.equals("false");
                if (!(value instanceof Boolean || value instanceof String) || !bool) {
                    throw new IllegalArgumentException(where + " must be true or false, not " + shown(value));
                }
                return new Test(path, op, Boolean.valueOf(b), null);
            default:
                if (value instanceof Map<?, ?> m && m.isEmpty()) {
                    throw new IllegalArgumentException(where + " needs a value");
                }
                return new Test(path, op, value, null);
        }
    }

    private static String at(String where) {
        return where.isEmpty() ? "" : where + ": ";
    }

    private static String others(Map<?, ?> map, String op) {
        return map.keySet().stream().map(String::valueOf).filter(k -> !k.equals(op))
                .collect(Collectors.toCollection(TreeSet::new)).toString();
    }

    private record Group(boolean all, List<Node> parts) implements Node {
        @Override
        public boolean holds(JsonNode doc) {
            for (Node part : parts) {
                if (part.holds(doc) != all) {
                    return !all;
                }
            }
            return all;
        }

        @Override
        public void collect(Set<JsonPath> out) {
            parts.forEach(p -> p.collect(out));
        }

        @Override
        public String describe() {
            String joined = parts.stream().map(Node::describe).collect(Collectors.joining(all ? " and " : " or "));
            return parts.size() == 1 ? joined : "(" + joined + ")";
        }
    }

    private record Test(JsonPath path, String op, Object expected, BigDecimal number) implements Node {
        @Override
        public boolean holds(JsonNode doc) {
            Optional<JsonNode> found = path.find(doc);
            if (op.equals("exists")) {
                return found.isPresent() == (Boolean) expected;
            }
            if (found.isEmpty()) {
                return false;
            }
            JsonNode v = found.get();
            switch (op) {
                case "equals":
                    return same(v, expected);
                case "not_equals":
                    return !same(v, expected);
                case "in":
                    return ((List<?>) expected).stream().anyMatch(e -> same(v, e));
                case "not_in":
                    return ((List<?>) expected).stream().noneMatch(e -> same(v, e));
                default:
                    BigDecimal actual = numberOf(v);
                    if (actual == null) {
                        return false;
                    }
                    int c = actual.compareTo(number);
                    return op.equals("lt") ? c < 0 : op.equals("le") ? c <= 0 : op.equals("gt") ? c > 0 : c >= 0;
            }
        }

        @Override
        public void collect(Set<JsonPath> out) {
            out.add(path);
        }

        @Override
        public String describe() {
            switch (op) {
                case "exists":
                    return path + ((Boolean) expected ? " exists" : " does not exist");
                case "equals":
                    return path + " = " + render(expected);
                case "not_equals":
                    return path + " != " + render(expected);
                case "in":
                    return path + " in " + render(expected);
                case "not_in":
                    return path + " not in " + render(expected);
                default:
                    String sym = op.equals("lt") ? "<" : op.equals("le") ? "<=" : op.equals("gt") ? ">" : ">=";
                    return path + " " + sym + " " + render(expected);
            }
        }
    }

    /** Lenient equality of a JSON value and a runbook value (see the class comment). */
    static boolean same(JsonNode v, Object expected) {
        if (expected == null) {
            return v.isNull();
        }
        if (expected instanceof List<?> list) {
            if (!v.isArray() || v.size() != list.size()) {
                return false;
            }
            for (int i = 0; i < list.size(); i++) {
                if (!same(v.get(i), list.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (expected instanceof Map<?, ?> map) {
            if (!v.isObject() || v.size() != map.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!map.containsKey(e.getKey()) || !same(e.getValue(), map.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        String text = String.valueOf(expected);
        if (v.isTextual()) {
            return v.textValue().equals(text);
        }
        if (v.isNumber()) {
            BigDecimal n = number(expected);
            return n != null && v.decimalValue().compareTo(n) == 0;
        }
        if (v.isBoolean()) {
            return text.strip().equalsIgnoreCase(Boolean.toString(v.booleanValue()));
        }
        if (v.isNull()) {
            return text.strip().equals("null");
        }
        return false;
    }

    private static BigDecimal numberOf(JsonNode v) {
        if (v.isNumber()) {
            return v.decimalValue();
        }
        return v.isTextual() ? number(v.textValue()) : null;
    }

    private static BigDecimal number(Object value) {
        if (value instanceof Number || value instanceof String) {
            String s = String.valueOf(value).strip();
            if (s.matches("-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][-+]?[0-9]{1,4})?")) {
                return new BigDecimal(s);
            }
        }
        return null;
    }

    /** A runbook value for a message: numbers, booleans and null bare, strings quoted, lists and maps as JSON. */
    static String render(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof String s) {
            return number(s) != null || s.equals("true") || s.equals("false") || s.equals("null") ? s : quote(s);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(WaitCondition::render).collect(Collectors.joining(", ", "[", "]"));
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            return "\"" + s + "\"";
        }
    }

    private static String shown(Object value) {
        String s = String.valueOf(value);
        return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
}
