package org.buildduty.app.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.buildduty.core.config.Secret;

/**
 * {@code inventory.ssh}: how the SSH executor connects. Host keys are always checked against {@code knownHosts}.
 *
 * @param knownHosts     default {@code ~/.ssh/known_hosts}
 * @param keyFile        the private key, if set (a host may name its own)
 * @param user           the login user, if set (a host may name its own)
 * @param passphrase     the key's passphrase, from {@code passphrase_env} or {@code passphrase_file}
 * @param agent          whether to use ssh-agent (default false)
 * @param connectTimeout default 10s
 * @param keepalive      how often a silent connection is probed, so a dead host fails its step; default 15s
 */
public record SshSettings(Path knownHosts, Optional<Path> keyFile, Optional<String> user, Optional<Secret> passphrase,
        boolean agent, Duration connectTimeout, Duration keepalive) {
}
