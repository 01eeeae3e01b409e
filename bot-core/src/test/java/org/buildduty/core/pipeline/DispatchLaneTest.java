package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchLaneTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    private final DispatchLane lane = new DispatchLane(r -> {
        Thread t = new Thread(r, "lane");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() throws InterruptedException {
        lane.stop(TEN_SECONDS);
    }

    @Test
    void aTaskGivenToAFreeLaneRunsAtOnceOnTheGivingThread() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Boolean> onLane = new AtomicReference<>();

        lane.execute(() -> {
            ranOn.set(Thread.currentThread());
            onLane.set(lane.onLane());
        });

        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(onLane.get()).isTrue();
        assertThat(lane.onLane()).isFalse();
    }

    @Test
    void aTaskGivenWhileAnotherRunsWaitsForItOnTheLanesThreadAndTheGiverDoesNotWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Thread connector = busyOnAnotherThread(release, () -> order.add("first"), () -> order.add("first done"));

        AtomicReference<String> secondRanOn = new AtomicReference<>();
        lane.execute(() -> {
            secondRanOn.set(Thread.currentThread().getName());
            order.add("second");
        });
        assertThat(order).as("the giver went on without waiting").containsExactly("first");

        release.countDown();
        assertThat(lane.awaitIdle(TEN_SECONDS)).isTrue();
        assertThat(order).containsExactly("first", "first done", "second");
        assertThat(secondRanOn.get()).isEqualTo("lane");
        connector.join(10_000);
    }

    @Test
    void whatATaskGivesRunsAfterItAndBeforeWhatIsGivenLater() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        lane.execute(() -> {
            order.add("message 1");
            lane.execute(() -> order.add("after message 1"));
            order.add("message 1 answered");
        });
        lane.execute(() -> order.add("message 2"));

        assertThat(lane.awaitIdle(TEN_SECONDS)).isTrue();
        assertThat(order).containsExactly("message 1", "message 1 answered", "after message 1", "message 2");
    }

    @Test
    void tasksFromManyThreadsRunOneAtATimeEachExactlyOnce() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    lane.execute(() -> {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        ran.incrementAndGet();
                        inside.decrementAndGet();
                    });
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(10_000);
        }

        assertThat(lane.awaitIdle(TEN_SECONDS)).isTrue();
        assertThat(ran.get()).isEqualTo(2000);
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aFailingTaskIsLoggedAndTheLaneGoesOnAndTheGivingThreadToo() throws Exception {
        lane.execute(() -> {
            throw new IllegalStateException("boom");
        });
        lane.execute(() -> {
            throw new AssertionError("an Error is not thrown into the connector's thread either");
        });
        AtomicReference<String> next = new AtomicReference<>();
        lane.execute(() -> next.set("ran"));

        assertThat(next.get()).isEqualTo("ran");
        assertThat(lane.awaitIdle(TEN_SECONDS)).isTrue();
    }

    @Test
    void aQueuedTaskThatThrowsAnErrorDoesNotStrandTheTasksAfterIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread connector = busyOnAnotherThread(release, () -> { }, () -> { });
        lane.execute(() -> {
            throw new AssertionError("an Error, not an exception");
        });
        AtomicReference<String> after = new AtomicReference<>();
        lane.execute(() -> after.set("ran"));

        release.countDown();
        assertThat(lane.awaitIdle(TEN_SECONDS)).isTrue();
        assertThat(after.get()).isEqualTo("ran");
        connector.join(10_000);
    }

    @Test
    void stoppingLetsQueuedTasksRunThenRefusesNewOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Thread connector = busyOnAnotherThread(release, () -> { }, () -> order.add("running"));
        lane.execute(() -> order.add("queued"));

        Thread stopper = new Thread(() -> {
            try {
                lane.stop(TEN_SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        while (stopper.getState() != Thread.State.TIMED_WAITING && stopper.isAlive()) {
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> lane.execute(() -> order.add("late")))
                .isInstanceOf(RejectedExecutionException.class);
        release.countDown();
        stopper.join(10_000);
        connector.join(10_000);

        assertThat(order).containsExactly("running", "queued");
    }

    /**
     * Starts a "connector" thread that gives the lane a task ({@code before}, then waiting for {@code release}, then
     * {@code after}) and returns once that task runs: the lane is busy on another thread until released.
     */
    private Thread busyOnAnotherThread(CountDownLatch release, Runnable before, Runnable after)
            throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Thread connector = new Thread(() -> lane.execute(() -> {
            before.run();
            running.countDown();
            await(release);
            after.run();
        }), "connector");
        connector.start();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        return connector;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
