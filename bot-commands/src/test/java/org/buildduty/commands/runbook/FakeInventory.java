package org.buildduty.commands.runbook;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.buildduty.core.param.Inventory;

/** An inventory built in code: groups, extra hosts and disk roots. */
final class FakeInventory implements Inventory {
    private final Set<String> hosts = new LinkedHashSet<>();
    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    private final Map<String, List<String>> roots = new LinkedHashMap<>();

    /** The default config's inventory: local1..local3 in group local. */
    static FakeInventory local() {
        return new FakeInventory().group("local", "local1", "local2", "local3");
    }

    FakeInventory group(String name, String... members) {
        groups.put(name, List.of(members));
        hosts.addAll(List.of(members));
        return this;
    }

    FakeInventory host(String name, String... diskRoots) {
        hosts.add(name);
        roots.put(name, List.of(diskRoots));
        return this;
    }

    @Override
    public Set<String> hosts() {
        return hosts;
    }

    @Override
    public Map<String, List<String>> groups() {
        return groups;
    }

    @Override
    public List<String> diskRoots(String host) {
        return roots.getOrDefault(host, List.of());
    }
}
