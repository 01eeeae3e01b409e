package org.buildduty.app.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.buildduty.app.config.HostConfig;
import org.buildduty.app.config.InventoryConfig;
import org.buildduty.app.config.SshSettings;
import org.buildduty.exec.ssh.SshHosts;
import org.buildduty.exec.ssh.SshTarget;

/** The {@code ssh} executor's host lookups follow the inventory a live reload last applied. */
class StepKindsTest {
    private static final SshSettings SSH = new SshSettings(Path.of("/etc/ssh/known"), Optional.empty(),
            Optional.of("deploy"), Optional.empty(), false, Duration.ofSeconds(10), Duration.ofSeconds(15));

    @Test
    void eachLookupReadsTheCurrentInventory() {
        AtomicReference<InventoryConfig> inventory = new AtomicReference<>(inventory(host("bm01", "10.0.0.1")));
        SshHosts hosts = StepKinds.hosts(inventory::get, SSH);
        assertThat(hosts.target("bm01").map(SshTarget::address)).contains("10.0.0.1");
        assertThat(hosts.target("bm02")).isEmpty();

        inventory.set(inventory(host("bm01", "10.0.0.11"), host("bm02", "10.0.0.2")));
        assertThat(hosts.target("bm01").map(SshTarget::address)).contains("10.0.0.11");
        assertThat(hosts.target("bm02").map(SshTarget::user)).contains("deploy");
    }

    private static HostConfig host(String name, String address) {
        return new HostConfig(name, address, 22, Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    }

    private static InventoryConfig inventory(HostConfig... hosts) {
        Map<String, HostConfig> byName = new LinkedHashMap<>();
        for (HostConfig h : hosts) {
            byName.put(h.name(), h);
        }
        return new InventoryConfig(SSH, byName, Map.of());
    }
}
