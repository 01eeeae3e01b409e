package org.buildduty.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimesTest {
    @Test
    void clockIsHoursAndMinutesInUtc() {
        assertThat(Times.clock(Instant.parse("2026-11-21T10:45:59Z"))).isEqualTo("10:45Z");
        assertThat(Times.clock(Instant.parse("2026-11-21T00:05:00Z"))).isEqualTo("00:05Z");
        assertThat(Times.clock(Instant.parse("2026-11-21T23:59:59.999Z"))).isEqualTo("23:59Z");
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "1, 1s",
        "45, 45s",
        "59, 59s",
        "60, 1m",
        "61, 1m 1s",
        "90, 1m 30s",
        "599, 9m 59s",
        "600, 10m",
        "630, 10m",
        "720, 12m",
        "3599, 59m",
        "3600, 1h",
        "3659, 1h",
        "3900, 1h 5m",
        "86399, 23h 59m",
        "86400, 1d",
        "97200, 1d 3h",
        "183600, 2d 3h",
        "183659, 2d 3h",
    })
    void elapsedUsesAtMostTwoUnitsRoundedDown(long seconds, String expected) {
        assertThat(Times.elapsed(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    @Test
    void elapsedRoundsFractionsDownAndClampsNegatives() {
        assertThat(Times.elapsed(Duration.ofMillis(1999))).isEqualTo("1s");
        assertThat(Times.elapsed(Duration.ofMillis(999))).isEqualTo("0s");
        assertThat(Times.elapsed(Duration.ofSeconds(-30))).isEqualTo("0s");
        assertThat(Times.elapsed(Duration.ofMinutes(12).minusNanos(1))).isEqualTo("11m");
    }

    @Test
    void systemTickerIsTheSystemClock() {
        Instant before = Instant.now();
        Instant t = Ticker.system().now();
        assertThat(t).isBetween(before, Instant.now());
    }
}
