package org.buildduty.app.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.journal.JournalException;

/**
 * One leader among the instances that share a PostgreSQL journal, the others standing by. The leader holds a
 * session advisory lock on its journal connection and the {@code cluster_leader} row: its name, a fencing epoch raised
 * at each takeover, and a heartbeat it renews every {@code heartbeat}. A standby tries the lock at the same pace; it
 * gets it at once when the leader's process dies (its session ends with it), and when the leader's heartbeat is older
 * than {@code takeover_after} (a paused or cut-off process keeps its session) it ends the leader's session
 * ({@code pg_terminate_backend}) and takes the lock.
 *
 * <p>The leader never acts after it could have been replaced. Its lease lasts {@code takeover_after} from the moment
 * it sent its last committed heartbeat, a moment no later than the heartbeat time the standby measures from; every
 * journal write first checks the lease and the epoch ({@link #check}), a watchdog checks the lease ten times a
 * second, and a write that finds the connection lost reports it ({@link #lost}): each of them halts the process at
 * once ({@link Halt}), before another step, line or row.
 */
public final class PostgresLeadership implements PostgresJournal.Fence, AutoCloseable {
    /** The advisory lock key of leadership ("bdld"); below 2^31, so {@code pg_locks} shows it as objid, classid 0. */
    static final long LEADER_LOCK = 0x62646c64L;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLeadership.class);

    private final PostgresJournal journal;
    private final String instance;
    private final Duration heartbeat;
    private final Duration takeoverAfter;
    private final Halt halt;
    private final LongSupplier nanos;
    private final AtomicBoolean halted = new AtomicBoolean();
    private volatile long epoch;
    private volatile long leaseUntil;
    private ScheduledExecutorService renewer;
    private ScheduledExecutorService watchdog;

    /** Stops the process for good: the leader lost its lease, its epoch or its connection. */
    @FunctionalInterface
    public interface Halt {
        /** {@code why}: one line. Does not return in production (exit status 70); tests record it. */
        void halt(String why);
    }

    /** The leader as the {@code cluster_leader} row names it; {@code epoch} 0 before any instance led. */
    public record Leader(String instance, long epoch) {
    }

    /**
     * This instance leads, with {@code epoch}; {@code previous} led before it (empty on a fresh database), its last
     * heartbeat was {@code lastHeartbeat} and, if it stopped cleanly, it said so at {@code stoppedAt}.
     */
    public record Won(long epoch, String previous, Optional<Instant> lastHeartbeat, Optional<Instant> stoppedAt,
            Instant at) {
        /** True when another instance led before and did not stop cleanly: its work was cut off. */
        public boolean failover() {
            return !previous.isEmpty() && stoppedAt.isEmpty();
        }
    }

    public PostgresLeadership(PostgresJournal journal, String instance, Duration heartbeat, Duration takeoverAfter,
            Halt halt) {
        this(journal, instance, heartbeat, takeoverAfter, halt, System::nanoTime);
    }

    PostgresLeadership(PostgresJournal journal, String instance, Duration heartbeat, Duration takeoverAfter,
            Halt halt, LongSupplier nanos) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        this.takeoverAfter = Objects.requireNonNull(takeoverAfter, "takeoverAfter");
        this.halt = Objects.requireNonNull(halt, "halt");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
    }

    /**
     * Blocks until this instance leads, trying every {@code heartbeat}; {@code standby} is told the leader it waits
     * for, first and whenever it changes. Once it leads, the journal's writes are fenced and the lease is renewed in
     * the background.
     *
     * @throws JournalException if the journal connection fails while standing by (the caller opens a new one)
     */
    public Won await(Consumer<Leader> standby) throws InterruptedException {
        Leader told = null;
        while (true) {
            Attempt a = attempt();
            if (a.won() != null) {
                lead(a.won());
                return a.won();
            }
            if (!a.leader().equals(told)) {
                told = a.leader();
                standby.accept(told);
            }
            if (a.evicted()) {
                // the evicted session ends within milliseconds: try again soon rather than a heartbeat later
                Thread.sleep(Math.min(50, heartbeat.toMillis()));
            } else {
                Thread.sleep(heartbeat.toMillis());
            }
        }
    }

    /** One try at the lock: won, or the leader this instance waits for (having evicted it if its heartbeat is old). */
    Attempt attempt() {
        long sent = nanos.getAsLong();
        return journal.session("electing a leader", c -> {
            if (queryBoolean(c, "SELECT pg_try_advisory_lock(" + LEADER_LOCK + ")")) {
                return new Attempt(take(c, sent), null, false);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT instance, epoch, "
                    + "extract(epoch FROM clock_timestamp() - heartbeat_at) FROM cluster_leader WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the cluster_leader row is missing");
                }
                Leader leader = new Leader(rs.getString(1), rs.getLong(2));
                double age = rs.getDouble(3);
                boolean stale = rs.wasNull() || age * 1000 > takeoverAfter.toMillis();
                boolean evicted = stale && evict(c, leader, rs.wasNull() ? -1 : age);
                return new Attempt(null, leader, evicted);
            }
        });
    }

    /** What one {@link #attempt} found. */
    record Attempt(Won won, Leader leader, boolean evicted) {
    }

    private Won take(Connection c, long sent) throws SQLException {
        String previous;
        Optional<Instant> last;
        Optional<Instant> stopped;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT instance, heartbeat_at, "
                + "stopped_at FROM cluster_leader WHERE id = 1 FOR UPDATE")) {
            if (!rs.next()) {
                throw new SQLException("the cluster_leader row is missing");
            }
            previous = rs.getString(1);
            last = instant(rs, 2);
            stopped = instant(rs, 3);
        }
        long won;
        Instant at;
        try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_leader SET instance = ?, epoch = epoch + 1, "
                + "heartbeat_at = clock_timestamp(), since = clock_timestamp(), stopped_at = NULL WHERE id = 1 "
                + "RETURNING epoch, since")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                won = rs.getLong(1);
                at = rs.getTimestamp(2).toInstant();
            }
        }
        leaseUntil = sent + takeoverAfter.toNanos();
        return new Won(won, previous, last, stopped, at);
    }

    private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }

    /** Ends the session that holds the leader's lock; true if there was one. */
    private boolean evict(Connection c, Leader leader, double age) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pid FROM pg_locks WHERE "
                + "locktype = 'advisory' AND classid = 0 AND objid = " + LEADER_LOCK
                + " AND objsubid = 1 AND granted")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        for (int pid : pids) {
            LOG.warn("{}: leader {} (epoch {}) has not renewed its lease for {}; ending its session (pid {})",
                    instance, leader.instance(), leader.epoch(), age < 0 ? "ever" : String.format("%.1f s", age), pid);
            queryBoolean(c, "SELECT pg_terminate_backend(" + pid + ")");
        }
        return !pids.isEmpty();
    }

    private void lead(Won won) {
        epoch = won.epoch();
        journal.fence(this);
        renewer = daemon("leader-heartbeat");
        renewer.scheduleWithFixedDelay(this::renew, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
        watchdog = daemon("leader-watchdog");
        long period = Math.max(10, Math.min(100, heartbeat.toMillis() / 4));
        watchdog.scheduleWithFixedDelay(this::watch, period, period, TimeUnit.MILLISECONDS);
        LOG.info("{} leads (epoch {})", instance, won.epoch());
    }

    /** Renews the lease: the heartbeat of this epoch committed, or the process halts. */
    void renew() {
        long sent = nanos.getAsLong();
        try {
            int rows = journal.session("renewing the leader's heartbeat", c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_leader SET heartbeat_at = "
                        + "clock_timestamp() WHERE id = 1 AND epoch = ?")) {
                    ps.setLong(1, epoch);
                    return ps.executeUpdate();
                }
            });
            if (rows == 0) {
                stop("epoch " + epoch + " no longer leads: " + currentLeader());
                return;
            }
            leaseUntil = sent + takeoverAfter.toNanos();
        } catch (JournalException e) {
            if (journal.connectionLost(e)) {
                stop("lost its journal connection (" + e.getMessage() + ")");
            } else {
                LOG.warn("{}: renewing the lease failed: {}", instance, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("{}: renewing the lease failed", instance, e);
        }
    }

    private String currentLeader() {
        try {
            return journal.session("reading the leader", c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT instance, epoch FROM cluster_leader WHERE id = 1")) {
                    return rs.next() ? rs.getString(1) + " leads with epoch " + rs.getLong(2) : "no leader row";
                }
            });
        } catch (JournalException e) {
            return "the leader cannot be read";
        }
    }

    private void watch() {
        if (!leaseHeld()) {
            stop("its lease ran out: no heartbeat committed for " + takeoverAfter.toMillis() / 1000.0
                    + " s, so a standby may lead");
        }
    }

    /** True while this instance leads and its lease has not run out. */
    public boolean leaseHeld() {
        return epoch > 0 && !halted.get() && nanos.getAsLong() - leaseUntil < 0;
    }

    /**
     * Halts unless this instance still leads with a live lease: called before a line goes to chat. When the lease is
     * gone it throws, so the line is not sent: the process may already be halting on another thread (the watchdog's,
     * still printing why), and this one must not speak meanwhile.
     *
     * @throws IllegalStateException when this instance no longer leads
     */
    public void checkLease() {
        if (epoch > 0 && !leaseHeld()) {
            stop("its lease ran out before a chat line was sent");
            throw new IllegalStateException(instance + " no longer leads: the line is not sent");
        }
    }

    /** The epoch this instance leads with; 0 while standing by. */
    public long epoch() {
        return epoch;
    }

    @Override
    public void check(Connection c) throws SQLException {
        if (!leaseHeld()) {
            stop("its lease ran out before a journal write");
            throw new SQLException("not the leader", "BD001");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM cluster_leader WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            long now = rs.next() ? rs.getLong(1) : -1;
            if (now != epoch) {
                stop("epoch " + epoch + " no longer leads (the journal has epoch " + now + ")");
                throw new SQLException("not the leader", "BD001");
            }
        }
    }

    @Override
    public void lost(String why) {
        stop("lost its journal connection (" + why + ")");
    }

    private void stop(String why) {
        if (halted.compareAndSet(false, true)) {
            halt.halt(instance + " stops leading: " + why);
        }
    }

    /**
     * A clean stop of the leader: the row says it stopped (so the next leader does not call it a failover), then the
     * heartbeat and watchdog end; the lock goes with the journal's connection when the journal closes.
     */
    @Override
    public void close() {
        stopTimers();
        if (epoch > 0 && !halted.get()) {
            try {
                journal.session("stepping down", c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_leader SET stopped_at = "
                            + "clock_timestamp() WHERE id = 1 AND epoch = ?")) {
                        ps.setLong(1, epoch);
                        return ps.executeUpdate();
                    }
                });
            } catch (JournalException e) {
                LOG.warn("{}: could not record its clean stop: {}", instance, e.getMessage());
            }
        }
    }

    private void stopTimers() {
        if (renewer != null) {
            renewer.shutdownNow();
        }
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
    }

    private static boolean queryBoolean(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
