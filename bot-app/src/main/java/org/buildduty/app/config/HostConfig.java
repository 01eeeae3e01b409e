package org.buildduty.app.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code inventory.hosts}.
 *
 * @param name    {@code [A-Za-z0-9._-]+}, not starting with {@code -}
 * @param address host name or IP address to connect to
 * @param port    SSH port, default 22
 * @param user    login user overriding {@code inventory.ssh.user}
 * @param jump    another host of the inventory to connect through
 * @param groups  the groups the host belongs to
 * @param keyFile private key overriding {@code inventory.ssh.key_file}
 */
public record HostConfig(String name, String address, int port, Optional<String> user, Optional<String> jump,
        List<String> groups, Optional<Path> keyFile) {

    public HostConfig {
        groups = List.copyOf(groups);
    }
}
