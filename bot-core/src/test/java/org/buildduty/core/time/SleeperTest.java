package org.buildduty.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class SleeperTest {
    private final Sleeper sleeper = Sleeper.system();

    @Test
    void sleepsTheWholeTimeUnlessWoken() throws Exception {
        long start = System.nanoTime();
        assertThat(sleeper.sleep(Duration.ofMillis(30), new CountDownLatch(1))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
        assertThat(sleeper.sleep(Duration.ZERO, new CountDownLatch(1))).isTrue();
        assertThat(sleeper.sleep(Duration.ofSeconds(-1), new CountDownLatch(1))).isTrue();
    }

    @Test
    void aWakeEndsTheSleepAtOnce() throws Exception {
        CountDownLatch wake = new CountDownLatch(1);
        CompletableFuture<Boolean> slept = CompletableFuture.supplyAsync(() -> {
            try {
                return sleeper.sleep(Duration.ofDays(365_000), wake);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(20);
        long start = System.nanoTime();

        wake.countDown();

        assertThat(slept.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(sleeper.sleep(Duration.ofHours(1), wake)).isFalse();
    }
}
