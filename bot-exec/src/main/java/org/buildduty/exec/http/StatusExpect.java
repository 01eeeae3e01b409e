package org.buildduty.exec.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The statuses an {@code http} step accepts: {@code 200}, {@code [200, 201]}, {@code 2xx}; by default 2xx. */
final class StatusExpect {
    static final StatusExpect SUCCESS = new StatusExpect(List.of("2xx"));

    /** Each item: a code like {@code 204} or a class like {@code 2xx}. */
    private final List<String> items;

    private StatusExpect(List<String> items) {
        this.items = List.copyOf(items);
    }

    /**
     * Reads {@code expect}: an int, a text like {@code "200"} or {@code "2xx"}, or a list of those.
     *
     * @throws IllegalArgumentException when it is none of these
     */
    static StatusExpect parse(Object value) {
        List<String> items = new ArrayList<>();
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                throw new IllegalArgumentException("must list at least one status");
            }
            for (Object o : list) {
                items.add(item(o));
            }
        } else {
            items.add(item(value));
        }
        return new StatusExpect(items);
    }

    private static String item(Object o) {
        String s = String.valueOf(o).strip().toLowerCase(Locale.ROOT);
        if ((o instanceof Number || o instanceof String) && s.matches("[1-5]([0-9][0-9]|xx)")) {
            return s;
        }
        throw new IllegalArgumentException("must be a status like 200, a class like 2xx, or a list of them, not \""
                + HttpText.oneLine(String.valueOf(o), 20) + "\"");
    }

    boolean matches(int status) {
        String code = Integer.toString(status);
        for (String item : items) {
            if (item.equals(code) || item.endsWith("xx") && code.length() == 3 && code.charAt(0) == item.charAt(0)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", items);
    }
}
