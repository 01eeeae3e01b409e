package org.buildduty.core.config;

import java.util.Objects;

/**
 * A password, token or key read from an environment variable or a file, never from the configuration file. Its
 * {@link #toString()} names only where it came from, so a secret can sit in records and log lines safely; the value
 * comes out only through {@link #reveal()}.
 *
 * <pre>{@code
 * Secret s = Secret.of("env IRC_PASSWORD", "hunter2");
 * s.toString();   // "Secret[from env IRC_PASSWORD]"
 * s.reveal();     // "hunter2"
 * }</pre>
 */
public final class Secret {
    private final String source;
    private final String value;

    private Secret(String source, String value) {
        this.source = Objects.requireNonNull(source, "source");
        this.value = Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("empty secret from " + source);
        }
    }

    /** A secret with a description of its source, e.g. {@code "env IRC_PASSWORD"} or {@code "file /etc/x"}. */
    public static Secret of(String source, String value) {
        return new Secret(source, value);
    }

    /** Where the secret came from: {@code "env NAME"}, {@code "file /path"} or {@code "zuliprc /path"}. */
    public String source() {
        return source;
    }

    /** The secret itself; call it only where the value is handed to the service that needs it. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.source.equals(source) && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[from " + source + "]";
    }
}
