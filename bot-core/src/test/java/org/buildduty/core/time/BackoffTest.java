package org.buildduty.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void backoffDoublesWithJitterUpToTheCeilingAndResets() {
        double[] r = {0.0};
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> r[0]);
        assertThat(b.next()).isEqualTo(Duration.ofMillis(500));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(1000));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(2000));
        r[0] = 0.999_999_9;
        assertThat(b.next()).isBetween(Duration.ofMillis(7999), Duration.ofMillis(8000));
        assertThat(b.next()).isBetween(Duration.ofMillis(9999), Duration.ofMillis(10_000));
        assertThat(b.next()).isBetween(Duration.ofMillis(9999), Duration.ofMillis(10_000));
        assertThat(b.attempts()).isEqualTo(6);
        b.reset();
        r[0] = 0.5;
        assertThat(b.next()).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void withoutJitterTheDelaysAreExactAndCappedFromTheFirst() {
        Backoff b = Backoff.doubling(Duration.ofMillis(500), Duration.ofSeconds(8));
        assertThat(b.delay(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(b.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(b.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(8));
        assertThat(Backoff.doubling(Duration.ofMinutes(15), Duration.ofMinutes(10)).delay(0))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 3, null).delay(2))
                .isEqualTo(Duration.ofSeconds(9));
        assertThatThrownBy(() -> Backoff.doubling(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
