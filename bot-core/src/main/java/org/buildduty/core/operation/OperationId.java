package org.buildduty.core.operation;

import java.util.Optional;

/** The number of an operation: allocated by the journal, persisted, never repeated. */
public record OperationId(long value) implements Comparable<OperationId> {
    public OperationId {
        if (value <= 0) {
            throw new IllegalArgumentException("operation ids are positive: " + value);
        }
    }

    /** Parses the text a user typed, with or without a leading {@code #}; empty for anything else. */
    public static Optional<OperationId> parse(String text) {
        String t = text.startsWith("#") ? text.substring(1) : text;
        if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long v = Long.parseLong(t);
        return v > 0 ? Optional.of(new OperationId(v)) : Optional.empty();
    }

    @Override
    public int compareTo(OperationId o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        return "#" + value;
    }
}
