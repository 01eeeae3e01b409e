package org.buildduty.core.param;

import java.util.List;

/**
 * A validated parameter value.
 *
 * @param value the canonical text (for a group: its name, or the hosts joined by commas)
 * @param hosts for {@code host} and {@code group}: the hosts it names, else empty
 */
public record ParamValue(String name, ParamType type, String value, List<String> hosts) {
    public ParamValue {
        hosts = List.copyOf(hosts);
    }

    /** How it is shown in chat: {@code masters (40)} for a group, else the value. */
    public String display() {
        return type == ParamType.GROUP ? value + " (" + hosts.size() + ")" : value;
    }
}
