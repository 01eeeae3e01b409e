package org.buildduty.exec.ssh;

import java.util.Map;
import java.util.Optional;

/**
 * Looks up inventory hosts for the {@link SshExecutor} by the names runbooks use. bot-app implements it from its
 * configuration; {@link #of(Map)} is a fixed map for tests and tools.
 */
public interface SshHosts {
    /** The host called {@code host}, or empty if the inventory has none. */
    Optional<SshTarget> target(String host);

    /** A fixed inventory: the targets by name. */
    static SshHosts of(Map<String, SshTarget> byName) {
        Map<String, SshTarget> copy = Map.copyOf(byName);
        return host -> Optional.ofNullable(host == null ? null : copy.get(host));
    }
}
