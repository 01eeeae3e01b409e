package org.buildduty.core.pipeline;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the engine's tasks (messages, reactions, changes between messages, work after an answer) one at a time, in the
 * order they were given, each seeing everything the tasks before it did.
 *
 * <p>A thread that gives a task while no task runs or waits runs it itself, at once: a command is answered on the
 * connector's thread that read it, without waking another thread first (that wake-up was the largest part of the
 * bot's own share of a round trip, and on a busy machine the source of its tail). A task given while another runs or
 * waits is queued, and the lane's thread runs the queue in order, each task once the one before it has ended. A thread
 * that gives a task never waits here for another thread's task, and a connector's thread runs at most the one task it
 * gave.
 */
final class DispatchLane {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchLane.class);

    private final Object lock = new Object();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final ExecutorService worker;
    /** The thread running a task, or null; written under the lock, read by {@link #onLane} without it. */
    private volatile Thread running;
    /** The lane's thread was given the queue and has not yet found it empty. */
    private boolean draining;
    private boolean stopped;

    DispatchLane(ThreadFactory threads) {
        this.worker = Executors.newSingleThreadExecutor(threads);
    }

    /**
     * Runs {@code task} now on this thread when the lane is free, otherwise after the tasks given before it, on the
     * lane's thread. A task's exception is logged, never thrown here.
     *
     * @throws RejectedExecutionException once {@link #stop} was called
     */
    void execute(Runnable task) {
        synchronized (lock) {
            if (stopped) {
                throw new RejectedExecutionException("the bot is stopping");
            }
            if (running != null || !queue.isEmpty()) {
                queue.add(task);
                if (!draining) {
                    draining = true;
                    worker.execute(this::drain);
                }
                return;
            }
            running = Thread.currentThread();
        }
        run(task);
    }

    /** True on the thread running a task of this lane: what it gives now would run after it. */
    boolean onLane() {
        return running == Thread.currentThread();
    }

    /** Waits until no task runs or waits, or {@code nanos} pass; true when idle. */
    boolean awaitIdle(long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        synchronized (lock) {
            while (running != null || !queue.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /**
     * Takes no more tasks ({@link #execute} throws from now on), lets the queued ones run, and waits up to {@code
     * nanos} for them and the running one.
     */
    void stop(long nanos) throws InterruptedException {
        synchronized (lock) {
            stopped = true;
        }
        try {
            awaitIdle(nanos);
        } finally {
            worker.shutdown();
        }
    }

    private void drain() {
        boolean interrupted = false;
        while (true) {
            Runnable task;
            synchronized (lock) {
                while (running != null) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                task = queue.poll();
                if (task == null) {
                    draining = false;
                    break;
                }
                running = Thread.currentThread();
            }
            run(task);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs one task. What it throws, an {@link Error} too, is logged and goes no further: not into the connector
     * whose thread ran it, nor out of the lane's thread with the tasks queued after it.
     */
    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("a task of the bot failed", e);
        } finally {
            synchronized (lock) {
                running = null;
                lock.notifyAll();
            }
        }
    }
}
