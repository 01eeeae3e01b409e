package org.buildduty.exec.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Processes on this machine, as /proc shows them: the tests' check that a cancelled command left nothing running. */
public final class Processes {
    private Processes() {
    }

    /** True while {@code pid} exists and is neither a zombie nor dead (a killed child may wait to be reaped). */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until the process is gone or a zombie (killed, waiting for whoever reaps orphans here).
     *
     * @throws AssertionError if it still runs after {@code within}
     */
    public static void awaitGone(long pid, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " still runs after " + within.toMillis() + " ms");
            }
            Thread.sleep(10);
        }
    }
}
