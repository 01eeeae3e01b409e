package org.buildduty.core.operation;

/** The number of an operation: allocated by the journal, persisted, never repeated. */
public record OperationId(long value) implements Comparable<OperationId> {
    public OperationId {
        if (value <= 0) {
            throw new IllegalArgumentException("operation ids are positive: " + value);
        }
    }

    /** Parses the text a user typed, with or without a leading {@code #}; empty for anything else. */
    public static java.util.Optional<OperationId> parse(String text) {
        String t = text.startsWith("#") ? text.substring(1) : text;
        if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return java.util.Optional.empty();
        }
        long v = Long.parseLong(t);
        return v > 0 ? java.util.Optional.of(new OperationId(v)) : java.util.Optional.empty();
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
