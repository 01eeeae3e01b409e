package org.buildduty.core.time;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Short renderings of instants and durations for chat lines. */
public final class Times {
    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm'Z'").withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** {@code 10:45Z}. */
    public static String clock(Instant t) {
        return HHMM.format(t);
    }

    /** {@code 45s}, {@code 12m}, {@code 1h 5m}, {@code 2d 3h}: two units at most, rounded down. */
    public static String elapsed(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + "m" + (m < 10 && s % 60 != 0 ? " " + s % 60 + "s" : "");
        }
        long h = m / 60;
        if (h < 24) {
            return h + "h" + (m % 60 == 0 ? "" : " " + m % 60 + "m");
        }
        return h / 24 + "d" + (h % 24 == 0 ? "" : " " + h % 24 + "h");
    }
}
