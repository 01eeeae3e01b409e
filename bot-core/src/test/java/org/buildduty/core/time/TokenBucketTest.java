package org.buildduty.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.buildduty.core.testing.FakeTicker;

class TokenBucketTest {
    @Test
    void tokenBucketGivesABurstThenOnePerInterval() {
        FakeTicker ticker = new FakeTicker();
        TokenBucket b = new TokenBucket(4, Duration.ofMillis(600), ticker.now());
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryTake(ticker.now())).isTrue();
        }
        assertThat(b.tryTake(ticker.now())).isFalse();
        assertThat(b.untilNext(ticker.now())).isEqualTo(Duration.ofMillis(600));
        ticker.advance(Duration.ofMillis(300));
        assertThat(b.untilNext(ticker.now())).isEqualTo(Duration.ofMillis(300));
        ticker.advance(Duration.ofMillis(300));
        assertThat(b.tryTake(ticker.now())).isTrue();
        assertThat(b.tryTake(ticker.now())).isFalse();
        ticker.advance(Duration.ofHours(1));
        assertThat(b.available(ticker.now())).isEqualTo(4.0);
    }

    @Test
    void aTakenTokenMayBeOwedUpToTheBurst() {
        FakeTicker ticker = new FakeTicker();
        TokenBucket b = new TokenBucket(2, Duration.ofSeconds(1), ticker.now());
        for (int i = 0; i < 5; i++) {
            b.take(ticker.now());
        }
        assertThat(b.available(ticker.now())).isEqualTo(-2.0);
        assertThat(b.untilNext(ticker.now())).isEqualTo(Duration.ofSeconds(3));
        ticker.advance(Duration.ofSeconds(3));
        assertThat(b.tryTake(ticker.now())).isTrue();
    }

    @Test
    void aZeroIntervalIsNoLimit() {
        FakeTicker ticker = new FakeTicker();
        TokenBucket b = new TokenBucket(Integer.MAX_VALUE, Duration.ZERO, ticker.now());
        for (int i = 0; i < 2_000_000; i++) {
            assertThat(b.tryTake(ticker.now())).isTrue();
        }
        assertThat(b.untilNext(ticker.now())).isZero();
    }
}
