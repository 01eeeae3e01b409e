package org.buildduty.exec.ssh;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One inventory host as the {@link SshExecutor} reaches it: where to connect, as whom, with which key, and through
 * which jump host.
 *
 * <p>Host keys are looked up in the known_hosts file under {@code address} (as {@code [address]:port} when the port is
 * not 22), as OpenSSH does, also when the host is reached through a jump host.
 *
 * <pre>{@code
 * new SshTarget("bm01", "bm01.releng.example", 22, "cltbld", Optional.empty(), Optional.of("bastion"))
 * }</pre>
 *
 * @param name the inventory name runbooks use ({@code bm01})
 * @param address the DNS name or IP address to connect to; through a jump host, the jump host resolves it
 * @param port the SSH port (1-65535)
 * @param user the login user
 * @param keyFile the private key for this host, or empty for {@link SshOptions#defaultKeyFile()}
 * @param jump the inventory name of the host to connect through ({@code ProxyJump}), or empty to connect directly
 */
public record SshTarget(String name, String address, int port, String user, Optional<Path> keyFile,
        Optional<String> jump) {
    public SshTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        keyFile = keyFile == null ? Optional.empty() : keyFile;
        jump = jump == null ? Optional.empty() : jump;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535: " + port);
        }
        if (name.isBlank() || address.isBlank() || user.isBlank()) {
            throw new IllegalArgumentException("name, address and user must not be blank");
        }
    }

    /** A host reached directly with the default key. */
    public static SshTarget of(String name, String address, int port, String user) {
        return new SshTarget(name, address, port, user, Optional.empty(), Optional.empty());
    }

    /** The same host reached through the inventory host {@code jumpHost}. */
    public SshTarget via(String jumpHost) {
        return new SshTarget(name, address, port, user, keyFile, Optional.of(jumpHost));
    }

    /** The same host with its own private key. */
    public SshTarget withKeyFile(Path key) {
        return new SshTarget(name, address, port, user, Optional.of(key), jump);
    }

    /** {@code address:port}, for messages. */
    public String endpoint() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
