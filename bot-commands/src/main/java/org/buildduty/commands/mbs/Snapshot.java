package org.buildduty.commands.mbs;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;


/**
 * What a watch last saw of a build: the module state number (-1 before the first successful read) and each
 * component's Koji state number (null while not yet submitted).
 */
record Snapshot(int state, Map<String, Integer> components) {
    /** Nothing seen yet. */
    static final Snapshot NONE = new Snapshot(-1, Map.of());

    Snapshot {
        components = Collections.unmodifiableMap(new TreeMap<>(components));
    }

    static Snapshot of(ModuleBuild b) {
        Map<String, Integer> c = new TreeMap<>();
        for (ComponentTask t : b.components().values()) {
            c.put(t.packageName(), t.state());
        }
        return new Snapshot(b.state(), c);
    }

    /** True before the first successful read. */
    boolean empty() {
        return state < 0;
    }
}
