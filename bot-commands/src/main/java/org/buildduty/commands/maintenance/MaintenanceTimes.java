package org.buildduty.commands.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.time.Durations;

/**
 * Reads the {@code --at} times of {@code maintenance} and writes windows and relative times for chat, always in UTC.
 *
 * <pre>{@code
 * 2026-11-21T18:00Z, 2026-11-21T19:00+01:00   ISO-8601 with a Z or an offset
 * "2026-11-21 18:00", 2026-11-21T18:00        a date and a time in UTC (quote the form with a space)
 * 18:00                                        the next 18:00 UTC
 * +90m, +2h, +1h30m                            from now
 * }</pre>
 */
final class MaintenanceTimes {
    /** The formats of {@code --at}, for help and errors. */
    static final String FORMATS = "2026-11-21T18:00Z, 2026-11-21T19:00+01:00, \"2026-11-21 18:00\" (UTC), "
            + "18:00 (the next 18:00 UTC) or +90m / +2h (from now)";
    /** How far ahead a maintenance may start. */
    static final Duration HORIZON = Duration.ofDays(366);

    private static final Pattern CLOCK = Pattern.compile("([01]?[0-9]|2[0-3]):([0-5][0-9])");
    private static final Pattern LOCAL = Pattern.compile(
            "([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private MaintenanceTimes() {
    }

    /**
     * Parses a start time given at {@code now}.
     *
     * @throws InvalidValueException with one line when it is not one of {@link #FORMATS}, is not in the future, or
     *     is more than {@link #HORIZON} ahead
     */
    static Instant parseAt(String text, Instant now) {
        String t = text == null ? "" : text.strip();
        Instant at = parse(t, now);
        if (!at.isAfter(now)) {
            throw new InvalidValueException("--at " + shown(t) + " is in the past (" + day(at) + " "
                    + HHMM.format(at) + " UTC; now " + day(now) + " " + HHMM.format(now) + " UTC)");
        }
        if (at.isAfter(now.plus(HORIZON))) {
            throw new InvalidValueException("--at " + shown(t) + " is more than a year ahead");
        }
        return at;
    }

    private static Instant parse(String t, Instant now) {
        if (t.startsWith("+")) {
            try {
                return now.plus(Durations.parse(t.substring(1)));
            } catch (InvalidValueException e) {
                throw new InvalidValueException("bad --at " + shown(t) + ": " + e.getMessage());
            }
        }
        Matcher clock = CLOCK.matcher(t);
        if (clock.matches()) {
            LocalTime time = LocalTime.of(Integer.parseInt(clock.group(1)), Integer.parseInt(clock.group(2)));
            Instant today = LocalDate.ofInstant(now, ZoneOffset.UTC).atTime(time).toInstant(ZoneOffset.UTC);
            return today.isAfter(now) ? today : today.plus(1, ChronoUnit.DAYS);
        }
        try {
            Matcher local = LOCAL.matcher(t);
            if (local.matches()) {
                String time = local.group(2).length() < 5 ? "0" + local.group(2) : local.group(2);
                return LocalDateTime.parse(local.group(1) + "T" + time).toInstant(ZoneOffset.UTC);
            }
            if (DATE.matcher(t).matches()) {
                throw new InvalidValueException("--at " + shown(t) + " needs a time too: write --at \"" + t
                        + " 18:00\" (quoted) or " + t + "T18:00Z");
            }
            return OffsetDateTime.parse(t.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidValueException("not a time: --at " + shown(t) + "; write " + FORMATS);
        }
    }

    /**
     * A window for chat, in UTC, the date shown when it is not today: {@code 18:00–19:00 UTC},
     * {@code 2026-11-22 18:00–19:00 UTC}, {@code 2026-11-22 23:00 – 2026-11-23 01:00 UTC}.
     */
    static String window(Instant start, Instant end, Instant now) {
        String from = (day(start).equals(day(now)) ? "" : day(start) + " ") + HHMM.format(start);
        if (!day(end).equals(day(start))) {
            return from + " – " + day(end) + " " + HHMM.format(end) + " UTC";
        }
        return from + "–" + HHMM.format(end) + " UTC";
    }

    /** {@code 18:00 UTC}, with the date when it is not today. */
    static String time(Instant t, Instant now) {
        return (day(t).equals(day(now)) ? "" : day(t) + " ") + HHMM.format(t) + " UTC";
    }

    /** {@code in 2h 5m} or {@code 3m ago}, in whole minutes (under a minute: {@code now}). */
    static String relative(Instant t, Instant now) {
        Duration d = Duration.between(now, t);
        String amount = minutes(d.abs());
        if (amount.equals("0s")) {
            return "now";
        }
        return d.isNegative() ? amount + " ago" : "in " + amount;
    }

    /** A duration in whole minutes for chat: {@code 15m}, {@code 1h 30m}, {@code 2d 3h}; under a minute: seconds. */
    static String minutes(Duration d) {
        Duration rounded = d.compareTo(Duration.ofMinutes(1)) < 0 ? d : d.truncatedTo(ChronoUnit.MINUTES);
        return Durations.format(rounded);
    }

    /** Untrusted text quoted for an error line: unsafe characters as {@code ?}, cut after 40. */
    static String shown(String text) {
        return "\"" + Sanitize.forDisplay(text, 40) + "\"";
    }

    private static String day(Instant t) {
        return DAY.format(t);
    }
}
