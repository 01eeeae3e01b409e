package org.buildduty.app.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.param.Inventory;

/**
 * The {@code inventory:} section: SSH settings, hosts in file order, and the allowlisted disk roots. Groups are the
 * hosts' {@code groups} lists, each group's members in file order.
 *
 * @param ssh             how to reach the hosts
 * @param hostsByName     host name → host, in file order
 * @param diskRootsByHost host name → absolute, normalized path roots
 * @param where           where the checks made after loading (key and known_hosts files) report: the
 *                        {@code file:line: field} of {@code ssh}, {@code ssh.known_hosts}, {@code ssh.key_file},
 *                        {@code hosts.<name>} and {@code hosts.<name>.key_file}, for those the file has
 */
public record InventoryConfig(SshSettings ssh, Map<String, HostConfig> hostsByName,
        Map<String, List<String>> diskRootsByHost, Map<String, String> where) implements Inventory {

    public InventoryConfig {
        hostsByName = Collections.unmodifiableMap(new LinkedHashMap<>(hostsByName));
        Map<String, List<String>> roots = new LinkedHashMap<>();
        diskRootsByHost.forEach((h, r) -> roots.put(h, List.copyOf(r)));
        diskRootsByHost = Collections.unmodifiableMap(roots);
        where = Map.copyOf(where);
    }

    /** An inventory read from no file: checks made after loading name the field only. */
    public InventoryConfig(SshSettings ssh, Map<String, HostConfig> hostsByName,
            Map<String, List<String>> diskRootsByHost) {
        this(ssh, hostsByName, diskRootsByHost, Map.of());
    }

    /** {@code file:line: inventory.<field>} for an error or warning about {@code field}, or the field alone. */
    public String where(String field) {
        return where.getOrDefault(field, "inventory." + field);
    }

    /** No hosts, default SSH settings. */
    public static InventoryConfig empty(SshSettings ssh) {
        return new InventoryConfig(ssh, Map.of(), Map.of());
    }

    /** The host names, in file order. */
    @Override
    public Set<String> hosts() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(hostsByName.keySet()));
    }

    /** Group → hosts, groups in order of first mention, hosts in file order. */
    @Override
    public Map<String, List<String>> groups() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (HostConfig h : hostsByName.values()) {
            for (String g : h.groups()) {
                out.computeIfAbsent(g, k -> new ArrayList<>()).add(h.name());
            }
        }
        out.replaceAll((g, hs) -> List.copyOf(hs));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public List<String> diskRoots(String host) {
        return diskRootsByHost.getOrDefault(host, List.of());
    }

    /** The host with this name. */
    public Optional<HostConfig> host(String name) {
        return Optional.ofNullable(hostsByName.get(name));
    }
}
