package org.buildduty.app.exec;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.app.config.HostConfig;
import org.buildduty.app.config.InventoryConfig;
import org.buildduty.app.config.SshSettings;
import org.buildduty.core.config.Secret;
import org.buildduty.exec.ssh.SshFiles;

/**
 * What {@code --check}, the start and a reload find in the files the {@code ssh} executor reads, without connecting:
 * each configured {@code key_file} must be a readable private key whose passphrase is configured when it is
 * encrypted (errors); when the configuration says the bot uses SSH ({@link #usesSsh}), some key must be configured
 * for every host and
 * the known_hosts file must exist (errors), and each host should have an entry in it (a warning per host, with the
 * {@code ssh-keyscan} line to run once its fingerprint is checked). Lines read {@code file:line: field: message},
 * warnings {@code file:line: field: warning: message}.
 */
public final class SshFileChecks {
    /** What was found: errors stop the start, warnings are printed and logged. */
    public record Found(List<String> errors, List<String> warnings) {
        public Found {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    private static final Pattern LINE = Pattern.compile(":(\\d{1,9}): ");

    private final InventoryConfig inventory;
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private SshFileChecks(InventoryConfig inventory) {
        this.inventory = inventory;
    }

    /** Checks the inventory's SSH files. */
    public static Found check(InventoryConfig inventory) {
        SshFileChecks c = new SshFileChecks(inventory);
        c.keys();
        if (!inventory.hostsByName().isEmpty() && usesSsh(inventory)) {
            c.someKey();
            c.knownHosts();
        }
        return new Found(byLine(c.errors), byLine(c.warnings));
    }

    /** Lines of the configuration file in line order (stable). */
    private static List<String> byLine(List<String> lines) {
        List<String> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingInt(SshFileChecks::lineOf));
        return sorted;
    }

    private static int lineOf(String line) {
        Matcher m = LINE.matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    /**
     * True when the configuration says the bot logs in over SSH: an {@code inventory.ssh} section, a host's own
     * {@code key_file}, or {@code disk_roots}. (Without any of them no key is configured and no {@code ssh} step can
     * log in; the shipped demo configuration is such a one, with hosts for local steps only.)
     */
    static boolean usesSsh(InventoryConfig inventory) {
        return inventory.where().containsKey("ssh")
                || inventory.hostsByName().values().stream().anyMatch(h -> h.keyFile().isPresent())
                || inventory.diskRootsByHost().values().stream().anyMatch(r -> !r.isEmpty());
    }

    private void keys() {
        SshSettings ssh = inventory.ssh();
        Optional<String> passphrase = ssh.passphrase().map(Secret::reveal);
        Set<Path> reported = new LinkedHashSet<>();
        ssh.keyFile().ifPresent(k -> key(inventory.where("ssh.key_file"), k, passphrase, reported));
        for (HostConfig h : inventory.hostsByName().values()) {
            h.keyFile().ifPresent(k -> key(inventory.where("hosts." + h.name() + ".key_file"), k, passphrase,
                    reported));
        }
    }

    private void key(String where, Path key, Optional<String> passphrase, Set<Path> reported) {
        if (reported.contains(key)) {
            return;
        }
        SshFiles.keyProblem(key, passphrase).ifPresent(problem -> {
            reported.add(key);
            errors.add(where + ": " + problem);
        });
    }

    /** A host with no key file of its own needs {@code inventory.ssh.key_file} or the agent. */
    private void someKey() {
        SshSettings ssh = inventory.ssh();
        if (ssh.keyFile().isPresent() || ssh.agent()) {
            return;
        }
        List<String> keyless = inventory.hostsByName().values().stream().filter(h -> h.keyFile().isEmpty())
                .map(HostConfig::name).toList();
        if (!keyless.isEmpty()) {
            errors.add(inventory.where("ssh") + ": no key to log in to " + String.join(", ", keyless)
                    + " with: set inventory.ssh.key_file (or agent: true)");
        }
    }

    private void knownHosts() {
        Path file = inventory.ssh().knownHosts();
        SshFiles.KnownHosts known;
        try {
            known = SshFiles.KnownHosts.read(file);
        } catch (NoSuchFileException e) {
            HostConfig first = inventory.hostsByName().values().iterator().next();
            errors.add(inventory.where("ssh.known_hosts") + ": " + file + " does not exist: create it with the hosts'"
                    + " keys, checking each fingerprint, e.g. " + keyscan(first, file));
            return;
        } catch (AccessDeniedException e) {
            errors.add(inventory.where("ssh.known_hosts") + ": " + file + " is not readable by this user");
            return;
        } catch (IOException e) {
            errors.add(inventory.where("ssh.known_hosts") + ": " + (Files.isDirectory(file) ? file
                    + " is a folder, not a known_hosts file" : e.getMessage()));
            return;
        }
        for (HostConfig h : inventory.hostsByName().values()) {
            if (!known.has(h.address(), h.port())) {
                warnings.add(inventory.where("hosts." + h.name()) + ": warning: no host key for "
                        + SshFiles.hostName(h.address(), h.port()) + " in " + file + "; once you have checked its"
                        + " fingerprint, add it: " + keyscan(h, file));
            }
        }
    }

    /**
     * The line that appends the host's keys to {@code file}; for a host behind jump hosts, {@code ssh-keyscan} runs
     * on the last jump host (through the others with {@code -J}), as the bot's connection reaches the host from
     * there.
     */
    private String keyscan(HostConfig h, Path file) {
        List<HostConfig> chain = new ArrayList<>();
        Optional<String> jump = h.jump();
        while (jump.isPresent() && chain.size() < 10) {
            Optional<HostConfig> j = inventory.host(jump.get());
            if (j.isEmpty() || chain.contains(j.get())) {
                break;
            }
            chain.add(0, j.get());
            jump = j.get().jump();
        }
        String line = SshFiles.keyscan(h.address(), h.port(), file);
        if (chain.isEmpty()) {
            return line;
        }
        HostConfig last = chain.get(chain.size() - 1);
        List<String> through = chain.subList(0, chain.size() - 1).stream()
                .map(j -> login(j) + ":" + j.port()).toList();
        return "ssh " + (through.isEmpty() ? "" : "-J " + String.join(",", through) + " ") + "-p " + last.port()
                + " " + login(last) + " " + line;
    }

    private String login(HostConfig h) {
        Optional<String> user = h.user().or(() -> inventory.ssh().user());
        return user.map(u -> u + "@").orElse("") + h.address();
    }
}
