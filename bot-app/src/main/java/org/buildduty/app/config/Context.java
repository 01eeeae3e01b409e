package org.buildduty.app.config;

import java.nio.file.Path;
import java.util.Map;

import org.buildduty.core.config.ConfigProblems;

/** What one load shares: the error list, the injected environment, and where relative paths and ~ resolve. */
record Context(ConfigProblems problems, Map<String, String> env, Path baseDir, Path home) {

    static Context of(Map<String, String> env, Path baseDir) {
        String h = env.get("HOME");
        Path home = h == null || h.isEmpty() ? Path.of(System.getProperty("user.home")) : Path.of(h);
        return new Context(new ConfigProblems(), env, baseDir.toAbsolutePath().normalize(), home);
    }

    /** {@code ~/x} under the home directory, an absolute path as is, anything else under the base directory. */
    Path path(String text) {
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
