package org.buildduty.exec.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the {@link SshExecutor} authenticates and verifies hosts, and its connection limits.
 *
 * <p>Host keys are always checked against {@code knownHosts} (plain, {@code [host]:port} and hashed entries, marker
 * {@code @revoked}); the file is re-read when it changes and never written; there is no switch to turn checking off.
 * Only public-key authentication is used: from the host's key file or {@code defaultKeyFile}, and from the ssh-agent
 * at {@code $SSH_AUTH_SOCK} when {@code agent} is on.
 *
 * <pre>{@code
 * SshOptions options = SshOptions.defaults(Path.of("/etc/buildduty/known_hosts"))
 *         .withDefaultKeyFile(Path.of("/etc/buildduty/id_ed25519"))
 *         .withPassphrase(() -> Optional.ofNullable(System.getenv("BUILDDUTY_SSH_PASSPHRASE")));
 * }</pre>
 *
 * @param knownHosts the known_hosts file every host key is checked against
 * @param defaultKeyFile the private key for hosts without their own, or empty
 * @param passphrase the passphrase of encrypted key files, asked once per key file; empty when there is none. The
 *     passphrase is never logged nor put in a result
 * @param agent whether to also use the keys of the ssh-agent named by {@code SSH_AUTH_SOCK}, when one is set
 * @param connectTimeout how long connecting and authenticating one host may take
 * @param keepAlive how often an idle connection is probed; a peer that answers none of {@value #KEEPALIVE_COUNT}
 *     probes in a row is dropped (the running step fails with "connection to HOST lost")
 * @param maxConnectsInFlight how many connections may be opening (TCP, key exchange, authentication) at once, over
 *     all operations; running connections do not count. The default, 10, is where OpenSSH's default
 *     {@code MaxStartups 10:30:100} starts dropping unauthenticated connections to one server
 */
public record SshOptions(Path knownHosts, Optional<Path> defaultKeyFile, Supplier<Optional<String>> passphrase,
        boolean agent, Duration connectTimeout, Duration keepAlive, int maxConnectsInFlight) {
    /** Unanswered keepalive probes after which a connection counts as lost. */
    public static final int KEEPALIVE_COUNT = 3;

    public SshOptions {
        Objects.requireNonNull(knownHosts, "knownHosts");
        defaultKeyFile = defaultKeyFile == null ? Optional.empty() : defaultKeyFile;
        passphrase = passphrase == null ? Optional::empty : passphrase;
        positive(connectTimeout, "connectTimeout");
        positive(keepAlive, "keepAlive");
        if (maxConnectsInFlight < 1) {
            throw new IllegalArgumentException("maxConnectsInFlight must be at least 1: " + maxConnectsInFlight);
        }
    }

    /**
     * Options with no default key, no passphrase, the ssh-agent on, a 10 s connect timeout, a 15 s keepalive and at
     * most 10 connections opening at once.
     */
    public static SshOptions defaults(Path knownHosts) {
        return new SshOptions(knownHosts, Optional.empty(), Optional::empty, true, Duration.ofSeconds(10),
                Duration.ofSeconds(15), 10);
    }

    public SshOptions withDefaultKeyFile(Path key) {
        return new SshOptions(knownHosts, Optional.of(key), passphrase, agent, connectTimeout, keepAlive,
                maxConnectsInFlight);
    }

    public SshOptions withPassphrase(Supplier<Optional<String>> value) {
        return new SshOptions(knownHosts, defaultKeyFile, value, agent, connectTimeout, keepAlive,
                maxConnectsInFlight);
    }

    public SshOptions withAgent(boolean value) {
        return new SshOptions(knownHosts, defaultKeyFile, passphrase, value, connectTimeout, keepAlive,
                maxConnectsInFlight);
    }

    public SshOptions withConnectTimeout(Duration value) {
        return new SshOptions(knownHosts, defaultKeyFile, passphrase, agent, value, keepAlive, maxConnectsInFlight);
    }

    public SshOptions withKeepAlive(Duration value) {
        return new SshOptions(knownHosts, defaultKeyFile, passphrase, agent, connectTimeout, value,
                maxConnectsInFlight);
    }

    public SshOptions withMaxConnectsInFlight(int value) {
        return new SshOptions(knownHosts, defaultKeyFile, passphrase, agent, connectTimeout, keepAlive, value);
    }

    /** Shows everything but the passphrase. */
    @Override
    public String toString() {
        return "SshOptions[knownHosts=" + knownHosts + ", defaultKeyFile=" + defaultKeyFile + ", agent=" + agent
                + ", connectTimeout=" + connectTimeout + ", keepAlive=" + keepAlive + ", maxConnectsInFlight="
                + maxConnectsInFlight + "]";
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
