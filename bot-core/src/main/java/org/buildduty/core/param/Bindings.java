package org.buildduty.core.param;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the {@code {{name}}} placeholders a frozen step argument still holds when it runs: {@code {{host}}},
 * {@code {{operation}}} and the values earlier steps kept.
 *
 * <p>One pass: a value put in is never scanned again, so a value holding {@code {{x}}} stays literal text. A
 * placeholder whose name has no value is left as it is.
 */
public final class Bindings {
    /** The current host of a fan-out run. */
    public static final String HOST = "host";
    /** The operation number. */
    public static final String OPERATION = "operation";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-z][a-z0-9_-]*)\\s*}}");

    private Bindings() {
    }

    /**
     * The text with each placeholder replaced by {@code valueOf.apply(name)}, or left alone where that is null.
     * Each value must already be escaped for where it goes.
     */
    public static String bind(String text, Function<String, String> valueOf) {
        if (text.indexOf("{{") < 0) {
            return text;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder(text.length() + 32);
        int pos = 0;
        while (m.find()) {
            String value = valueOf.apply(m.group(1));
            if (value != null) {
                sb.append(text, pos, m.start()).append(value);
                pos = m.end();
            }
        }
        return sb.append(text, pos, text.length()).toString();
    }
}
