package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-11-21T18:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String date(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    @Test
    void readsSecondsFractionsAndHttpDates() {
        assertThat(RetryAfter.parse("30", NOW)).contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("28.706807374954224", NOW)).contains(Duration.ofMillis(28_707));
        assertThat(RetryAfter.parse("0.25", NOW)).contains(Duration.ofMillis(250));
        assertThat(RetryAfter.parse(date(NOW.plusSeconds(12)), NOW)).contains(Duration.ofSeconds(12));
        assertThat(RetryAfter.parse(date(NOW.minusSeconds(12)), NOW)).contains(Duration.ZERO);
    }

    @Test
    void anythingElseIsNoValue() {
        for (String bad : new String[] {"", "soon", "-5", "1e3", "5s", "1234567890", ".5", "NaN"}) {
            assertThat(RetryAfter.parse(bad, NOW)).as(bad).isEmpty();
        }
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    }

    @Test
    void readsTheSecondsOfAJsonNumber() throws Exception {
        JsonNode body = JSON.readTree("{\"a\": 1.75, \"b\": 3, \"c\": -1, \"d\": \"3\", \"e\": 1e12}");
        assertThat(RetryAfter.seconds(body.get("a"))).contains(Duration.ofMillis(1750));
        assertThat(RetryAfter.seconds(body.get("b"))).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.seconds(body.get("c"))).isEmpty();
        assertThat(RetryAfter.seconds(body.get("d"))).isEmpty();
        assertThat(RetryAfter.seconds(body.get("e"))).contains(RetryAfter.LONGEST);
        assertThat(RetryAfter.seconds(body.get("missing"))).isEmpty();
        assertThat(RetryAfter.seconds(null)).isEmpty();
    }
}
