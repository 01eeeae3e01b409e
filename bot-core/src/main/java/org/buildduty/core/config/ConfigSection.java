package org.buildduty.core.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.time.Durations;

/**
 * Reads the fields of one mapping in the configuration, recording every problem in the load's shared list and
 * carrying on with an empty value, so one load reports all errors, each as {@code file:line: field: message}.
 * Secrets are read only through {@link #secret}: from the environment variable named by {@code <key>_env} or the
 * file named by {@code <key>_file}; a secret written in the file itself is an error.
 *
 * <pre>{@code
 * ConfigSection s = ConfigSection.of(entry, ctx, Set.of("server", "port", "password_env", "password_file"));
 * String server = s.required("server").orElse(null);       // "missing" recorded at the entry's line
 * int port = s.port("port").orElse(6697);                   // "port 0 is out of range 1-65535" at its line
 * Optional<Secret> password = s.secret("password");
 * }</pre>
 */
public final class ConfigSection {
    /** Keys that would hold a secret literally; each has {@code <key>_env} and {@code <key>_file} forms. */
    public static final Set<String> SECRET_KEYS = Set.of("password", "token", "api_key", "access_token", "passphrase",
            "web_token");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final ConfigNode node;
    private final ConfigContext ctx;
    private final boolean readable;

    private ConfigSection(ConfigNode node, ConfigContext ctx, boolean readable) {
        this.node = node;
        this.ctx = ctx;
        this.readable = readable;
    }

    /** Opens a mapping (an empty value counts as an empty mapping) and reports each key not in {@code keys}. */
    public static ConfigSection of(ConfigNode node, ConfigContext ctx, Set<String> keys) {
        if (!node.isMap() && !node.isNull()) {
            ctx.problems().add(node, "expected a mapping of keys to values");
            return new ConfigSection(node, ctx, false);
        }
        for (Map.Entry<String, ConfigNode> e : node.asMap().entrySet()) {
            String key = e.getKey();
            if (keys.contains(key)) {
                continue;
            }
            if (SECRET_KEYS.contains(key) && keys.contains(key + "_env")) {
                ctx.problems().add(e.getValue(),
                        "secrets are never in the file: use " + key + "_env or " + key + "_file");
            } else {
                ctx.problems().add(e.getValue(), ConfigNode.unknownKey(key, keys));
            }
        }
        return new ConfigSection(node, ctx, true);
    }

    /** Opens a mapping without checking its keys (when they depend on a field read first). */
    public static ConfigSection unchecked(ConfigNode node, ConfigContext ctx) {
        return new ConfigSection(node, ctx, node.isMap() || node.isNull());
    }

    /** The mapping this section reads. */
    public ConfigNode node() {
        return node;
    }

    /** The load this section belongs to. */
    public ConfigContext ctx() {
        return ctx;
    }

    /** The field's path, e.g. {@code connectors[1].port}, for messages. */
    public String pathOf(String key) {
        return node.path().isEmpty() ? key : node.path() + "." + key;
    }

    /** A child node that is present and not null. */
    public Optional<ConfigNode> child(String key) {
        return readable ? node.get(key) : Optional.empty();
    }

    public boolean has(String key) {
        return child(key).isPresent();
    }

    /** Records an error at a present child, or at this mapping's line naming the field. */
    public void error(String key, String message) {
        Optional<ConfigNode> c = child(key);
        if (c.isPresent()) {
            ctx.problems().add(c.get(), message);
        } else {
            ctx.problems().add(node.file() + ":" + node.line() + ": " + pathOf(key) + ": " + message);
        }
    }

    /** Records that a required field is absent. */
    public void missing(String key) {
        if (readable) {
            ctx.problems().add(node.file() + ":" + node.line() + ": " + pathOf(key) + ": missing");
        }
    }

    /** A nested mapping. */
    public Optional<ConfigSection> section(String key, Set<String> keys) {
        return child(key).map(c -> of(c, ctx, keys));
    }

    /** A nested mapping whose keys are names chosen by the user (hosts, roles), so none is unknown. */
    public Optional<ConfigSection> namedEntries(String key) {
        Optional<ConfigNode> c = child(key);
        if (c.isPresent() && !c.get().isMap()) {
            ctx.problems().add(c.get(), "expected a mapping of keys to values");
            return Optional.empty();
        }
        return c.map(n -> unchecked(n, ctx));
    }

    /** A scalar; an empty string is an error. */
    public Optional<String> string(String key) {
        Optional<ConfigNode> c = child(key);
        if (c.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> s = ctx.problems().check(c.get()::string);
        if (s.isPresent() && s.get().isBlank()) {
            ctx.problems().add(c.get(), "must not be empty");
            return Optional.empty();
        }
        return s;
    }

    public String string(String key, String dflt) {
        return string(key).orElse(dflt);
    }

    /** A scalar that must be present. */
    public Optional<String> required(String key) {
        if (!has(key)) {
            missing(key);
            return Optional.empty();
        }
        return string(key);
    }

    /** A scalar matching {@code pattern}; otherwise {@code "<value>" <what>}. */
    public Optional<String> matching(String key, Pattern pattern, String what) {
        Optional<String> s = string(key);
        if (s.isPresent() && !pattern.matcher(s.get()).matches()) {
            error(key, "\"" + s.get() + "\" " + what);
            return Optional.empty();
        }
        return s;
    }

    /** One of fixed values. */
    public Optional<String> oneOf(String key, List<String> values) {
        Optional<String> s = string(key);
        if (s.isPresent() && !values.contains(s.get())) {
            error(key, "\"" + s.get() + "\" is not one of: " + String.join(", ", values));
            return Optional.empty();
        }
        return s;
    }

    public boolean bool(String key, boolean dflt) {
        return child(key).flatMap(c -> ctx.problems().check(c::bool)).orElse(dflt);
    }

    /** A TCP port, 1 to 65535. */
    public Optional<Integer> port(String key) {
        return integer(key, "port", 1, 65535);
    }

    /** An integer from {@code min} to {@code max}; {@code what} names it in the error. */
    public Optional<Integer> integer(String key, String what, int min, int max) {
        Optional<Integer> n = child(key).flatMap(c -> ctx.problems().check(c::intValue));
        if (n.isPresent() && (n.get() < min || n.get() > max)) {
            error(key, what + " " + n.get() + " is out of range " + min + "-" + max);
            return Optional.empty();
        }
        return n;
    }

    /** A list of non-empty scalars (a single scalar counts as a list of one), each checked by {@code check}. */
    public List<String> strings(String key, ItemCheck check) {
        Optional<ConfigNode> c = child(key);
        if (c.isEmpty()) {
            return List.of();
        }
        if (c.get().isScalar()) {
            return ok(c.get(), c.get().string(), check) ? List.of(c.get().string()) : List.of();
        }
        List<ConfigNode> items = ctx.problems().check(c.get()::asList).orElse(List.of());
        List<String> out = new ArrayList<>();
        for (ConfigNode item : items) {
            ctx.problems().check(item::string).filter(s -> ok(item, s, check)).ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    private boolean ok(ConfigNode item, String s, ItemCheck check) {
        if (s.isBlank()) {
            ctx.problems().add(item, "must not be empty");
            return false;
        }
        Optional<String> problem = check.problem(s);
        problem.ifPresent(p -> ctx.problems().add(item, p));
        return problem.isEmpty();
    }

    /** Checks one list item; empty when it is fine, else the message. */
    @FunctionalInterface
    public interface ItemCheck {
        ItemCheck ANY = s -> Optional.empty();

        Optional<String> problem(String item);

        static ItemCheck matching(Pattern p, String what) {
            return s -> p.matcher(s).matches() ? Optional.empty() : Optional.of("\"" + s + "\" " + what);
        }
    }

    /** A file system path: {@code ~/} is the home directory, a relative path is under the base directory. */
    public Optional<Path> path(String key) {
        return string(key).map(ctx::path);
    }

    /** An absolute http or https URL. */
    public Optional<URI> url(String key) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI u = new URI(s.get());
            String scheme = u.getScheme();
            if (("http".equals(scheme) || "https".equals(scheme)) && u.getHost() != null) {
                return Optional.of(u);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        error(key, "\"" + s.get() + "\" is not an http(s) URL");
        return Optional.empty();
    }

    /**
     * A duration in the one grammar of {@link Durations#parseSetting}: {@code 500ms}, {@code 10s}, {@code 2m},
     * {@code 1h30m}, {@code 7d}; a bare number is seconds.
     */
    public Optional<Duration> duration(String key) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Durations.parseSetting(s.get()));
        } catch (InvalidValueException e) {
            error(key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The secret named by {@code <base>_env} or {@code <base>_file}; both at once, an unset variable, or an unreadable
     * or empty file is an error at that field.
     */
    public Optional<Secret> secret(String base) {
        String envKey = base + "_env";
        String fileKey = base + "_file";
        if (has(envKey) && has(fileKey)) {
            error(fileKey, "give " + envKey + " or " + fileKey + ", not both");
            return Optional.empty();
        }
        if (has(envKey)) {
            return matching(envKey, ENV_NAME, "is not an environment variable name").flatMap(name -> {
                String v = ctx.env(name);
                if (v == null) {
                    error(envKey, "environment variable " + name + " is not set");
                    return Optional.empty();
                }
                if (v.isEmpty()) {
                    error(envKey, "environment variable " + name + " is empty");
                    return Optional.empty();
                }
                return Optional.of(Secret.of("env " + name, v));
            });
        }
        return path(fileKey).flatMap(p -> {
            try {
                return Optional.of(Secret.of("file " + p, readSecretFile(p)));
            } catch (ConfigException e) {
                error(fileKey, e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** A secret that must be given. */
    public Optional<Secret> requiredSecret(String base) {
        if (!has(base + "_env") && !has(base + "_file") && !has(base)) {
            error(base + "_env", "missing (or " + base + "_file)");
            return Optional.empty();
        }
        return secret(base);
    }

    /** The file's contents without trailing line breaks; message-only ConfigException when unusable. */
    public static String readSecretFile(Path p) {
        String text = readText(p);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new ConfigException("file " + p + " is empty");
        }
        return text.substring(0, end);
    }

    /** A file's text; a message-only ConfigException when it cannot be read. */
    public static String readText(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + p + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read " + p + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + p + ": " + e.getMessage());
        }
    }
}
