package org.buildduty.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.buildduty.core.parse.CloseMatch;

/**
 * A YAML document as a tree that remembers where each node stands, so every error names the file, the line and the
 * field ({@code config/buildduty.yml:12: connectors[1].port: not a number: "66x7"}).
 *
 * <p>Scalars keep their text exactly as written; typed reads ({@link #intValue()}, {@link #bool()}) validate it.
 * Duplicate keys are errors.
 */
public final class ConfigNode {
    /** The shape of a node. */
    public enum Kind { MAP, LIST, SCALAR, NULL }

    private static final YAMLFactory YAML = new YAMLFactory();
    /** Where the YAML parser's message says a problem or its context stands. */
    private static final Pattern MARK = Pattern.compile("\\s*in '[^']*', line (\\d+), column (\\d+):?");

    private final String file;
    private final int line;
    private final String path;
    private final Kind kind;
    private final String text;
    private final Map<String, ConfigNode> map;
    private final List<ConfigNode> list;
    /** The YAML type of a scalar: a plain number or boolean is typed, anything quoted is a string. */
    private final Object typed;
    /** The file line of the first line of a literal block scalar ({@code command: |}), else 0. */
    private final int blockLine;

    private ConfigNode(String file, int line, String path, Kind kind, String text, Map<String, ConfigNode> map,
            List<ConfigNode> list) {
        this(file, line, path, kind, text, map, list, text);
    }

    private ConfigNode(String file, int line, String path, Kind kind, String text, Map<String, ConfigNode> map,
            List<ConfigNode> list, Object typed) {
        this(file, line, path, kind, text, map, list, typed, 0);
    }

    private ConfigNode(String file, int line, String path, Kind kind, String text, Map<String, ConfigNode> map,
            List<ConfigNode> list, Object typed, int blockLine) {
        this.blockLine = blockLine;
        this.typed = typed;
        this.file = file;
        this.line = line;
        this.path = path;
        this.kind = kind;
        this.text = text;
        this.map = map;
        this.list = list;
    }

    /** Reads and parses a file; the file name in errors is the path as given. */
    public static ConfigNode load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Parses YAML text; an empty document is an empty map. */
    public static ConfigNode parse(String fileName, String yaml) {
        try (JsonParser p = YAML.createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new ConfigNode(fileName, 1, "", Kind.MAP, null, Map.of(), List.of());
            }
            ConfigNode root = read(p, fileName, "", line(p), yaml.split("\n", -1));
            if (p.nextToken() != null) {
                throw new ConfigException(fileName + ":" + line(p) + ": only one YAML document is allowed");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(syntaxError(fileName, e));
        } catch (IOException e) {
            throw new ConfigException(fileName + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * {@code file:line: YAML syntax error at column C: <problem> (<context> at line L, column C)}, from the parser's
     * message: its problem and where it stands, and what it was parsing and where that started.
     */
    static String syntaxError(String fileName, JsonProcessingException e) {
        List<String> parts = new ArrayList<>();
        List<int[]> marks = new ArrayList<>();
        boolean inSnippet = false;
        for (String l : e.getOriginalMessage().split("\n")) {
            Matcher m = MARK.matcher(l);
            if (m.matches()) {
                if (!parts.isEmpty()) {
                    marks.set(parts.size() - 1, new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                }
                inSnippet = true;
            } else if (inSnippet && (l.startsWith("    ") || l.isBlank())) {
                continue;   // the quoted source line and its caret
            } else if (!l.isBlank()) {
                inSnippet = false;
                parts.add(l.strip());
                marks.add(null);
            }
        }
        if (parts.isEmpty()) {
            int ln = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            return fileName + ":" + ln + ": YAML syntax error";
        }
        String problem = parts.get(parts.size() - 1);
        int[] at = marks.get(marks.size() - 1);
        if (at == null) {
            at = e.getLocation() == null ? new int[] {0, 0}
                    : new int[] {e.getLocation().getLineNr(), e.getLocation().getColumnNr()};
        }
        StringBuilder context = new StringBuilder();
        for (int i = 0; i < parts.size() - 1; i++) {
            context.append(context.length() == 0 ? "" : "; ").append(parts.get(i));
            int[] c = marks.get(i);
            if (c != null && (c[0] != at[0] || c[1] != at[1])) {
                context.append(" at line ").append(c[0]).append(", column ").append(c[1]);
            }
        }
        return fileName + ":" + at[0] + ": YAML syntax error at column " + at[1] + ": " + problem
                + (context.length() == 0 ? "" : " (" + context + ")");
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static ConfigNode read(JsonParser p, String file, String path, int ln, String[] source)
            throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, ConfigNode> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p);
                String childPath = path.isEmpty() ? key : path + "." + key;
                p.nextToken();
                ConfigNode child = read(p, file, childPath, keyLine, source);
                if (m.containsKey(key)) {
                    throw new ConfigException(file + ":" + keyLine + ": " + childPath + ": duplicate key");
                }
                m.put(key, child);
            }
            return new ConfigNode(file, ln, path, Kind.MAP, null, Collections.unmodifiableMap(m), List.of());
        }
        if (t == JsonToken.START_ARRAY) {
            List<ConfigNode> l = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(read(p, file, path + "[" + i++ + "]", line(p), source));
            }
            return new ConfigNode(file, ln, path, Kind.LIST, null, Map.of(), Collections.unmodifiableList(l));
        }
        if (t == JsonToken.VALUE_NULL) {
            return new ConfigNode(file, ln, path, Kind.NULL, null, Map.of(), List.of());
        }
        return new ConfigNode(file, ln, path, Kind.SCALAR, p.getText(), Map.of(), List.of(), typed(p, t),
                literalBlock(p, source));
    }

    /** The file line a literal block scalar's text starts on (the line after its {@code |}), else 0. */
    private static int literalBlock(JsonParser p, String[] source) {
        int l = p.currentTokenLocation().getLineNr();
        int c = p.currentTokenLocation().getColumnNr();
        if (l < 1 || l > source.length || c < 1 || c > source[l - 1].length()) {
            return 0;
        }
        return source[l - 1].charAt(c - 1) == '|' ? l + 1 : 0;
    }

    private static Object typed(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getText() : p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            default:
                return p.getText();
        }
    }

    /** {@code file:line: path} for error lines. */
    public String where() {
        return file + ":" + line + ": " + (path.isEmpty() ? "(top)" : path);
    }

    /** A {@link ConfigException} at this node. */
    public ConfigException error(String message) {
        return new ConfigException(where() + ": " + message);
    }

    /**
     * {@code file:line: path} of the character at {@code offset} in this scalar's text: for a literal block scalar
     * ({@code command: |}) the line of the file that character stands on, else the node's line.
     */
    public String whereAt(int offset) {
        if (blockLine == 0 || text == null || offset < 0) {
            return where();
        }
        int newlines = 0;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                newlines++;
            }
        }
        return file + ":" + (blockLine + newlines) + ": " + (path.isEmpty() ? "(top)" : path);
    }

    /** A {@link ConfigException} at the character {@code offset} of this scalar's text ({@link #whereAt}). */
    public ConfigException errorAt(int offset, String message) {
        return new ConfigException(whereAt(offset) + ": " + message);
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The dotted path of this node from the document root, e.g. {@code connectors[1].sasl}. */
    public String path() {
        return path;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isList() {
        return kind == Kind.LIST;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /** A child of a map; empty when absent or null. */
    public Optional<ConfigNode> get(String key) {
        ConfigNode n = asMap().get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    /** A child of a map that must be present. */
    public ConfigNode require(String key) {
        return get(key).orElseThrow(() -> new ConfigException(
                file + ":" + line + ": " + (path.isEmpty() ? key : path + "." + key) + ": missing"));
    }

    /** True if the map has the key (even with a null value). */
    public boolean has(String key) {
        return asMap().containsKey(key);
    }

    /** The entries of a map, in file order. */
    public Map<String, ConfigNode> asMap() {
        if (kind == Kind.NULL) {
            return Map.of();
        }
        if (kind != Kind.MAP) {
            throw error("expected a mapping of keys to values");
        }
        return map;
    }

    /** The items of a list. */
    public List<ConfigNode> asList() {
        if (kind == Kind.NULL) {
            return List.of();
        }
        if (kind != Kind.LIST) {
            throw error("expected a list");
        }
        return list;
    }

    /** The scalar text. */
    public String string() {
        if (kind != Kind.SCALAR) {
            throw error("expected a single value");
        }
        return text;
    }

    /**
     * The scalar as YAML typed it: a {@link Long}, {@link Double} or {@link Boolean} for a plain number or
     * {@code true}/{@code false}, else the {@link String} ({@code "1"} quoted is a string).
     */
    public Object typedValue() {
        if (kind != Kind.SCALAR) {
            throw error("expected a single value");
        }
        return typed;
    }

    /** A list of scalars; a single scalar counts as a list of one. */
    public List<String> strings() {
        if (kind == Kind.SCALAR) {
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode n : asList()) {
            out.add(n.string());
        }
        return out;
    }

    /** The scalar as an integer. */
    public int intValue() {
        String s = string();
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw error("not a whole number: \"" + s + "\"");
        }
    }

    /** The scalar as {@code true} or {@code false}. */
    public boolean bool() {
        String s = string().strip();
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw error("expected true or false, not \"" + s + "\"");
    }

    /**
     * The message for a key not in {@code known}, naming the closest known key as chat commands do:
     * {@code unknown key - did you mean "channels"? (known: channels, id, ...)}.
     */
    public static String unknownKey(String key, Collection<String> known) {
        return "unknown key" + CloseMatch.closest(key, known).map(m -> " - did you mean \"" + m + "\"?").orElse("")
                + " (known: " + String.join(", ", known.stream().sorted().toList()) + ")";
    }

    /** Reports keys of this map not in {@code allowed}, one error each. */
    public void checkKeys(ConfigProblems problems, Set<String> allowed) {
        if (kind != Kind.MAP) {
            return;
        }
        for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                ConfigNode child = e.getValue();
                problems.add(file + ":" + child.line + ": " + child.path + ": " + unknownKey(e.getKey(), allowed));
            }
        }
    }
}
