package org.buildduty.core.progress;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces configured secret values with {@code ***} in any text bound for chat, logs, the journal or the web page.
 * Values shorter than 4 characters are ignored (they would mangle ordinary text and are not secrets worth the name).
 */
public final class Redactor {
    /** Redacts nothing. */
    public static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    public Redactor(Collection<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** The text with every secret replaced. */
    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, "***");
            }
        }
        return out;
    }
}
