package org.buildduty.app.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.buildduty.core.config.Secret;

/**
 * Where the journal lives when it is not the SQLite file, and how instances that share it elect a leader:
 * {@code bot.journal: postgresql://HOST:PORT/DB?user=USER} with {@code bot.journal_password_env} or
 * {@code _file}, {@code bot.instance} and {@code bot.ha: {heartbeat: 1s, takeover_after: 10s}}.
 *
 * @param postgres      the PostgreSQL journal; empty for the SQLite file ({@code bot.journal} a path, the default)
 * @param instance      this instance's name ({@code bot.instance}, default the host name), shown to the standby
 * @param heartbeat     how often the leader renews its lease and a standby looks at it
 * @param takeoverAfter how old the leader's heartbeat may grow before a standby evicts it and leads
 */
public record ClusterSettings(Optional<Postgres> postgres, String instance, Duration heartbeat,
        Duration takeoverAfter) {
    /** {@code bot.ha.heartbeat} by default. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** {@code bot.ha.takeover_after} by default. */
    public static final Duration TAKEOVER_AFTER = Duration.ofSeconds(10);

    public ClusterSettings {
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(takeoverAfter, "takeoverAfter");
    }

    /** The SQLite journal, this host's name, the default timings. */
    public static ClusterSettings local() {
        return new ClusterSettings(Optional.empty(), hostName(), HEARTBEAT, TAKEOVER_AFTER);
    }

    /**
     * A PostgreSQL journal.
     *
     * @param url      {@code postgresql://HOST[:PORT][,HOST[:PORT]...]/DB[?OPTIONS]} with pgjdbc's option names
     *                 ({@code user}, {@code sslmode}, {@code sslrootcert}, ...); never a password
     * @param password the password from {@code journal_password_env} or {@code journal_password_file}, if any
     */
    public record Postgres(String url, Optional<Secret> password) {
        public Postgres {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(password, "password");
        }

        /** The URL without its options, as logs and errors name the database. */
        public String display() {
            int q = url.indexOf('?');
            return q < 0 ? url : url.substring(0, q);
        }

        @Override
        public String toString() {
            return "Postgres[" + display() + (password.isPresent() ? ", password " + password.get().source() : "")
                    + "]";
        }
    }

    /**
     * The host name as the kernel knows it, else as Java resolves it, else {@code buildduty}; cut to the
     * characters {@code bot.instance} allows.
     */
    static String hostName() {
        String name = null;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
        } catch (IOException | SecurityException e) {
            // not Linux: ask Java
        }
        if (name == null || name.isEmpty()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "";
            }
        }
        String clean = name.replaceAll("[^A-Za-z0-9._-]", "-");
        if (clean.length() > 63) {
            clean = clean.substring(0, 63);
        }
        return clean.isEmpty() || !Character.isLetterOrDigit(clean.charAt(0)) ? "buildduty" : clean;
    }
}
