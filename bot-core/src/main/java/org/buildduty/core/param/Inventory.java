package org.buildduty.core.param;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hosts and groups the bot may act on, from configuration. Parameters of type {@code host} and {@code group}
 * accept only names found here.
 */
public interface Inventory {
    /** An empty inventory. */
    Inventory EMPTY = new Inventory() {
        @Override
        public Set<String> hosts() {
            return Set.of();
        }

        @Override
        public Map<String, List<String>> groups() {
            return Map.of();
        }

        @Override
        public List<String> diskRoots(String host) {
            return List.of();
        }
    };

    /** Every host name. */
    Set<String> hosts();

    /** Group name → member hosts, in configuration order. */
    Map<String, List<String>> groups();

    /** The allowlisted path roots of a host (for {@code path} parameters and {@code !disk}). */
    List<String> diskRoots(String host);

    /** The hosts a group names, if it is a group. */
    default Optional<List<String>> group(String name) {
        return Optional.ofNullable(groups().get(name));
    }
}
