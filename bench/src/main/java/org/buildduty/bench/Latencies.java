package org.buildduty.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** One kind of request of {@link LoadBench}: how many were sent and answered, and the answered ones' latencies. */
final class Latencies {
    private final String name;
    private final List<Long> nanos = new ArrayList<>();
    private int sent;
    private int wrong;

    Latencies(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    synchronized void sent() {
        sent++;
    }

    /** An answer came {@code latencyNanos} after the request; {@code right} is false if it was not the expected one. */
    synchronized void answered(long latencyNanos, boolean right) {
        nanos.add(latencyNanos);
        if (!right) {
            wrong++;
        }
    }

    synchronized int sentCount() {
        return sent;
    }

    synchronized int answeredCount() {
        return nanos.size();
    }

    synchronized int wrongCount() {
        return wrong;
    }

    /** Adds every count and latency of {@code other} to this one. */
    synchronized void addAll(Latencies other) {
        synchronized (other) {
            nanos.addAll(other.nanos);
            sent += other.sent;
            wrong += other.wrong;
        }
    }

    synchronized double percentileMs(double p) {
        return percentileMs(nanos, p);
    }

    /** The {@code p}-th percentile (nearest rank) of latencies in nanoseconds, in milliseconds; NaN if none. */
    static double percentileMs(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)] / 1e6;
    }

    /** One row of the results table: name, sent, answered, lost, wrong, p50, p95, p99, max (ms). */
    synchronized String row() {
        return String.format(Locale.ROOT, "%-22s %6d %8d %5d %5d %10.1f %10.1f %10.1f %10.1f", name, sent,
                nanos.size(), sent - nanos.size(), wrong, percentileMs(50), percentileMs(95), percentileMs(99),
                percentileMs(100));
    }
}
