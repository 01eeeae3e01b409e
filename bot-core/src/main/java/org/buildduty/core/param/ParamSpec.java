package org.buildduty.core.param;

import java.util.List;
import java.util.Objects;

/**
 * A declared parameter.
 *
 * @param defaultValue the default, or null when the parameter is required
 * @param choices the allowed values of an {@code enum}, else empty
 * @param min the smallest {@code int}, or null
 * @param max the largest {@code int}, or null
 * @param roots for a {@code path}: the allowlisted roots it must lie under; empty means the disk roots of every
 *     inventory host
 * @param allowDash true when a value typed in chat may start with {@code -} (a runbook's {@code allow_dash: true});
 *     otherwise such a value is refused, since a command could read it as an option
 */
public record ParamSpec(String name, ParamType type, String defaultValue, List<String> choices, String description,
        Long min, Long max, List<String> roots, boolean allowDash) {
    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        choices = choices == null ? List.of() : List.copyOf(choices);
        description = description == null ? "" : description;
        roots = roots == null ? List.of() : List.copyOf(roots);
    }

    /** A parameter whose values from chat must not start with {@code -}. */
    public ParamSpec(String name, ParamType type, String defaultValue, List<String> choices, String description,
            Long min, Long max, List<String> roots) {
        this(name, type, defaultValue, choices, description, min, max, roots, false);
    }

    /** A parameter without path roots. */
    public ParamSpec(String name, ParamType type, String defaultValue, List<String> choices, String description,
            Long min, Long max) {
        this(name, type, defaultValue, choices, description, min, max, List.of());
    }

    /** A parameter with no bounds, choices or description. */
    public static ParamSpec of(String name, ParamType type, String defaultValue) {
        return new ParamSpec(name, type, defaultValue, List.of(), "", null, null, List.of(), false);
    }

    public boolean required() {
        return defaultValue == null;
    }
}
