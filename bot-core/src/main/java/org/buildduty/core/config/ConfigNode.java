package org.buildduty.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

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

    private final String file;
    private final int line;
    private final String path;
    private final Kind kind;
    private final String text;
    private final Map<String, ConfigNode> map;
    private final List<ConfigNode> list;
    /** The YAML type of a scalar: a plain number or boolean is typed, anything quoted is a string. */
    private final Object typed;

    private ConfigNode(String file, int line, String path, Kind kind, String text, Map<String, ConfigNode> map,
            List<ConfigNode> list) {
        this(file, line, path, kind, text, map, list, text);
    }

    private ConfigNode(String file, int line, String path, Kind kind, String text, Map<String, ConfigNode> map,
            List<ConfigNode> list, Object typed) {
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
            ConfigNode root = read(p, fileName, "", line(p));
            if (p.nextToken() != null) {
                throw new ConfigException(fileName + ":" + line(p) + ": only one YAML document is allowed");
            }
            return root;
        } catch (JsonProcessingException e) {
            int ln = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String msg = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
            throw new ConfigException(fileName + ":" + ln + ": YAML syntax error: " + msg);
        } catch (IOException e) {
            throw new ConfigException(fileName + ": cannot read: " + e.getMessage());
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static ConfigNode read(JsonParser p, String file, String path, int ln) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, ConfigNode> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p);
                String childPath = path.isEmpty() ? key : path + "." + key;
                p.nextToken();
                ConfigNode child = read(p, file, childPath, keyLine);
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
                l.add(read(p, file, path + "[" + i++ + "]", line(p)));
            }
            return new ConfigNode(file, ln, path, Kind.LIST, null, Map.of(), Collections.unmodifiableList(l));
        }
        if (t == JsonToken.VALUE_NULL) {
            return new ConfigNode(file, ln, path, Kind.NULL, null, Map.of(), List.of());
        }
        return new ConfigNode(file, ln, path, Kind.SCALAR, p.getText(), Map.of(), List.of(), typed(p, t));
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

    /** Reports keys of this map not in {@code allowed}, one error each. */
    public void checkKeys(ConfigProblems problems, Set<String> allowed) {
        if (kind != Kind.MAP) {
            return;
        }
        for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                ConfigNode child = e.getValue();
                problems.add(file + ":" + child.line + ": " + child.path + ": unknown key (known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
