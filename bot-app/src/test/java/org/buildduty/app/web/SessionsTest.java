package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.buildduty.core.testing.FakeTicker;

class SessionsTest {
    private final FakeTicker ticker = new FakeTicker(Instant.parse("2026-03-04T05:06:07Z"));

    @Test
    void anIdIsValidUntilItExpiresAndUnknownIdsNever() {
        Sessions s = new Sessions(ticker, Duration.ofHours(12), 10);
        String id = s.open();
        assertThat(s.valid(id)).isTrue();
        assertThat(s.valid(id + "x")).isFalse();
        assertThat(s.valid("")).isFalse();
        assertThat(s.valid(null)).isFalse();
        ticker.advance(Duration.ofHours(12).minusSeconds(1));
        assertThat(s.valid(id)).isTrue();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(s.valid(id)).isFalse();
        assertThat(s.size()).isZero();
    }

    @Test
    void atMostMaxAreKeptTheOldestGoingFirst() {
        Sessions s = new Sessions(ticker, Duration.ofHours(12), 3);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(s.open());
            ticker.advance(Duration.ofMinutes(1));
        }
        assertThat(s.size()).isEqualTo(3);
        assertThat(ids).filteredOn(s::valid).containsExactlyElementsOf(ids.subList(2, 5));
    }

    @Test
    void expiredOnesAreDroppedWhenANewOneIsOpened() {
        Sessions s = new Sessions(ticker, Duration.ofMinutes(5), 100);
        for (int i = 0; i < 50; i++) {
            s.open();
        }
        ticker.advance(Duration.ofMinutes(5));
        String fresh = s.open();
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.valid(fresh)).isTrue();
    }
}
