package org.buildduty.core.param;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;

/**
 * Reads and writes the short durations people type: {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d},
 * {@code 1h30m}.
 *
 * <p>Units are {@code d}, {@code h}, {@code m} and {@code s}, largest first, each at most once; a bare number is
 * rejected because its unit would be a guess. Durations are positive and at most {@link #MAX} (3650 days).
 *
 * <pre>{@code
 * Durations.parse("1h30m")                      // PT1H30M
 * Durations.format(Duration.ofMinutes(65))      // "1h 5m"
 * }</pre>
 */
public final class Durations {
    /** The longest duration accepted. */
    public static final Duration MAX = Duration.ofDays(3650);

    private static final String HINT = "use a number and a unit: 30s, 10m, 2h, 7d, 1h30m";
    private static final Pattern PART = Pattern.compile("([0-9]{1,9})([dhms])");
    private static final String UNITS = "dhms";
    private static final long[] SECONDS = {86_400, 3_600, 60, 1};

    private Durations() {
    }

    /**
     * Parses a duration such as {@code 1h30m}.
     *
     * @throws InvalidValueException with a one-line message (not naming any parameter) when the text is not a
     *     positive duration of at most {@link #MAX}
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new InvalidValueException("empty duration (" + HINT + ")");
        }
        if (t.length() > 40) {
            throw new InvalidValueException("not a duration: " + Texts.shown(t) + " (" + HINT + ")");
        }
        Matcher m = PART.matcher(t);
        int pos = 0;
        int lastUnit = -1;
        long total = 0;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw new InvalidValueException("not a duration: " + Texts.shown(t) + " (" + HINT + ")");
            }
            int unit = UNITS.indexOf(m.group(2).charAt(0));
            if (unit <= lastUnit) {
                throw new InvalidValueException("not a duration: " + Texts.shown(t)
                        + " (units go largest first, each once: 1d2h, 1h30m)");
            }
            lastUnit = unit;
            total += Long.parseLong(m.group(1)) * SECONDS[unit];
            if (total > MAX.getSeconds()) {
                throw new InvalidValueException("duration too long: " + Texts.shown(t) + " (at most 3650d)");
            }
            pos = m.end();
        }
        if (total == 0) {
            throw new InvalidValueException("duration must be more than zero: " + Texts.shown(t));
        }
        return Duration.ofSeconds(total);
    }

    /**
     * A short text for chat: the largest unit, and the one below it when not zero: {@code 45s}, {@code 12m},
     * {@code 1h 5m}, {@code 2d 3h} (seconds of a day-long duration are dropped). Under a second is {@code 0s}; a
     * negative duration gets a leading {@code -}.
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long s = d.getSeconds();
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < SECONDS.length && shown < 2; i++) {
            long n = s / SECONDS[i];
            s %= SECONDS[i];
            if (n > 0 || shown > 0) {
                if (n > 0) {
                    if (sb.length() > 0) {
                        sb.append(' ');
                    }
                    sb.append(n).append(UNITS.charAt(i));
                }
                shown++;
            }
        }
        return sb.length() == 0 ? "0s" : sb.toString();
    }

    /** The duration in the compact form {@link #parse} reads back, e.g. {@code 1h30m}; at least {@code 1s}. */
    public static String compact(Duration d) {
        long s = Math.max(1, d.getSeconds());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SECONDS.length; i++) {
            long n = s / SECONDS[i];
            s %= SECONDS[i];
            if (n > 0) {
                sb.append(n).append(UNITS.charAt(i));
            }
        }
        return sb.toString();
    }
}
