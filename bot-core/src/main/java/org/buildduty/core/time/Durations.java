package org.buildduty.core.time;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;

/**
 * The one duration grammar of the bot, for the configuration file, runbooks and chat: {@code 500ms}, {@code 30s},
 * {@code 10m}, {@code 2h}, {@code 7d}, {@code 1h30m}, {@code 1d2h3m4s500ms}.
 *
 * <p>Units are {@code d}, {@code h}, {@code m}, {@code s} and {@code ms}, largest first, each at most once, with no
 * spaces; a duration is at most {@link #MAX} (3650 days). What people type in chat and runbooks ({@link #parse}) is
 * more than zero and needs a unit, since a bare number's unit would be a guess. A value of the configuration file
 * ({@link #parseSetting}) may also be zero, and a bare number there is seconds, as it always was.
 *
 * <pre>{@code
 * Durations.parse("1h30m")                      // PT1H30M
 * Durations.parse("90")                         // InvalidValueException: not a duration: "90" (use a number ...)
 * Durations.parseSetting("90")                  // PT1M30S
 * Durations.format(Duration.ofMinutes(65))      // "1h 5m"
 * }</pre>
 */
public final class Durations {
    /** The longest duration accepted. */
    public static final Duration MAX = Duration.ofDays(3650);

    private static final String HINT = "use a number and a unit: 30s, 10m, 2h, 7d, 1h30m";
    private static final Pattern PART = Pattern.compile("([0-9]{1,12})(ms|[dhms])");
    private static final Pattern BARE = Pattern.compile("[0-9]{1,12}");
    private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
    private static final long[] MILLIS = {86_400_000, 3_600_000, 60_000, 1_000, 1};
    /** The longest text read; longer is not a duration. */
    private static final int LONGEST = 40;

    private Durations() {
    }

    /**
     * Parses a duration typed in chat or written in a runbook, such as {@code 1h30m}.
     *
     * @throws InvalidValueException with a one-line message (not naming any parameter) when the text is not a
     *     positive duration of at most {@link #MAX} with units
     */
    public static Duration parse(String text) {
        return read(text, false);
    }

    /**
     * Parses a duration of the configuration file: the grammar of {@link #parse}, and also zero ({@code 0},
     * {@code 0s}) and a bare number of seconds ({@code 30}).
     *
     * @throws InvalidValueException with a one-line message when the text is not such a duration
     */
    public static Duration parseSetting(String text) {
        return read(text, true);
    }

    private static Duration read(String text, boolean setting) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new InvalidValueException("empty duration (" + HINT + ")");
        }
        if (t.length() > LONGEST) {
            throw notADuration(t);
        }
        if (setting && BARE.matcher(t).matches()) {
            return checked(t, Long.parseLong(t), MILLIS[3]);
        }
        Matcher m = PART.matcher(t);
        int pos = 0;
        int lastUnit = -1;
        long total = 0;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw notADuration(t);
            }
            int unit = unit(m.group(2));
            if (unit <= lastUnit) {
                throw new InvalidValueException("not a duration: " + shown(t)
                        + " (units go largest first, each once: 1d2h, 1h30m)");
            }
            lastUnit = unit;
            total += checked(t, Long.parseLong(m.group(1)), MILLIS[unit]).toMillis();
            checked(t, total, 1);
            pos = m.end();
        }
        if (total == 0 && !setting) {
            throw new InvalidValueException("duration must be more than zero: " + shown(t));
        }
        return Duration.ofMillis(total);
    }

    /** {@code n} units of {@code unitMillis}, or "too long" past {@link #MAX}. */
    private static Duration checked(String t, long n, long unitMillis) {
        if (n > MAX.toMillis() / unitMillis) {
            throw new InvalidValueException("duration too long: " + shown(t) + " (at most 3650d)");
        }
        return Duration.ofMillis(n * unitMillis);
    }

    private static int unit(String name) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException(name);
    }

    private static InvalidValueException notADuration(String t) {
        return new InvalidValueException("not a duration: " + shown(t) + " (" + HINT + ")");
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
        for (int i = 0; i < 4 && shown < 2; i++) {
            long unitSeconds = MILLIS[i] / 1000;
            long n = s / unitSeconds;
            s %= unitSeconds;
            if (n > 0 || shown > 0) {
                if (n > 0) {
                    if (sb.length() > 0) {
                        sb.append(' ');
                    }
                    sb.append(n).append(UNITS[i]);
                }
                shown++;
            }
        }
        return sb.length() == 0 ? "0s" : sb.toString();
    }

    /**
     * The duration in the compact form {@link #parse} reads back, e.g. {@code 1h30m} or {@code 1s500ms}; at least
     * {@code 1ms}.
     */
    public static String compact(Duration d) {
        long ms = Math.max(1, d.toMillis());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MILLIS.length; i++) {
            long n = ms / MILLIS[i];
            ms %= MILLIS[i];
            if (n > 0) {
                sb.append(n).append(UNITS[i]);
            }
        }
        return sb.toString();
    }

    /** The value in double quotes, unsafe characters as {@code ?}, cut after 40 characters. */
    private static String shown(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            if (i == LONGEST) {
                sb.append("...");
                break;
            }
            char c = value.charAt(i);
            sb.append(unsafe(value, i) ? '?' : c);
        }
        return sb.append('"').toString();
    }

    /** Controls, format characters, line and paragraph separators, and unpaired surrogates. */
    private static boolean unsafe(String s, int i) {
        char c = s.charAt(i);
        int type = Character.getType(c);
        if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }
}
