package org.buildduty.app;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.buildduty.app.config.InventoryConfig;
import org.buildduty.core.param.Inventory;

/** The inventory a live reload last applied: each call asks the one {@code current} holds then. */
final class LiveInventory implements Inventory {
    private final AtomicReference<InventoryConfig> current;

    LiveInventory(AtomicReference<InventoryConfig> current) {
        this.current = current;
    }

    @Override
    public Set<String> hosts() {
        return current.get().hosts();
    }

    @Override
    public Map<String, List<String>> groups() {
        return current.get().groups();
    }

    @Override
    public List<String> diskRoots(String host) {
        return current.get().diskRoots(host);
    }
}
