package org.buildduty.core.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What one load of a configuration file shares: the error list, the injected environment, and where relative paths
 * and {@code ~} resolve. The environment holds the secrets, so only {@link ConfigSection#secret} reads it and
 * {@link #toString()} never prints it.
 *
 * <pre>{@code
 * ConfigContext ctx = ConfigContext.of(System.getenv(), Path.of(""));
 * ConfigSection top = ConfigSection.of(ConfigNode.load(file), ctx, Set.of("bot", "connectors"));
 * }</pre>
 */
public final class ConfigContext {
    private final ConfigProblems problems;
    private final Map<String, String> env;
    private final Path baseDir;
    private final Path home;

    private ConfigContext(ConfigProblems problems, Map<String, String> env, Path baseDir, Path home) {
        this.problems = Objects.requireNonNull(problems, "problems");
        this.env = Objects.requireNonNull(env, "env");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
        this.home = Objects.requireNonNull(home, "home");
    }

    /** A fresh load: no problems yet; home is {@code HOME} of {@code env}, else the JVM's user home. */
    public static ConfigContext of(Map<String, String> env, Path baseDir) {
        String h = env.get("HOME");
        Path home = h == null || h.isEmpty() ? Path.of(System.getProperty("user.home")) : Path.of(h);
        return new ConfigContext(new ConfigProblems(), env, baseDir.toAbsolutePath().normalize(), home);
    }

    /** Every problem found so far in this load. */
    public ConfigProblems problems() {
        return problems;
    }

    /** The directory relative paths resolve against (absolute, normalized). */
    public Path baseDir() {
        return baseDir;
    }

    /** The directory {@code ~} stands for. */
    public Path home() {
        return home;
    }

    /** The value of an environment variable, for {@code <key>_env}; null when unset. */
    String env(String name) {
        return env.get(name);
    }

    /** {@code ~/x} under the home directory, an absolute path as is, anything else under the base directory. */
    public Path path(String text) {
        if (text.equals("~")) {
            return home;
        }
        if (text.startsWith("~/")) {
            return home.resolve(text.substring(2)).normalize();
        }
        return baseDir.resolve(text).normalize();
    }

    /** Never prints the environment: it holds the secrets. */
    @Override
    public String toString() {
        return "Context[baseDir=" + baseDir + ", home=" + home + "]";
    }
}
