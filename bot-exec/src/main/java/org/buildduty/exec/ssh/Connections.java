package org.buildduty.exec.ssh;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchRevokedHostKeyException;
import com.jcraft.jsch.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.operation.OperationId;

/**
 * The SSH sessions of running operations: one per inventory host per operation, opened on first use (through its
 * jump hosts, which get sessions of their own), reused by the operation's later steps, reopened once when found
 * dead, and closed when the operation finishes. Before a new session runs its first command, the login shell is
 * probed once ({@link ShellProbe}); a host whose shell is not POSIX-like is refused for the rest of the operation.
 *
 * <p>At most {@code maxConnectsInFlight} sessions are being opened at once over all operations; a connection the
 * server refused or dropped during the handshake (e.g. by {@code MaxStartups}) is tried once more after a short
 * random pause. Host key and authentication failures are never retried.
 */
final class Connections {
    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

    private final JSch jsch = new JSch();
    private final SshHosts hosts;
    private final SshOptions options;
    private final KnownHostsFile knownHosts;
    private final Identities identities;
    private final Semaphore permits;
    private final ScheduledExecutorService timer;
    private final Map<OperationId, Map<String, Slot>> byOperation = new ConcurrentHashMap<>();

    /** One host's session within one operation; its monitor serialises opening it. */
    private static final class Slot {
        private Session session;
        /** How deep in a jump chain this host served (0: only as a target); deeper ones are closed last. */
        private int depth;
        /** Whether the login shell on {@link #session} was probed and found POSIX-like. */
        private boolean probed;
        /** Why this host's login shell was refused for the operation, or null. */
        private String refused;
    }

    Connections(SshHosts hosts, SshOptions options, Identities identities, ScheduledExecutorService timer) {
        this.hosts = hosts;
        this.options = options;
        this.knownHosts = new KnownHostsFile(options.knownHosts());
        this.identities = identities;
        this.permits = new Semaphore(options.maxConnectsInFlight(), true);
        this.timer = timer;
    }

    /** A live session to inventory host {@code name} for {@code op}: the operation's own, or a new one. */
    Session session(OperationId op, String name, CancelPoint attempt) throws SshFailure {
        return session(op, name, attempt, List.of());
    }

    /** Forgets {@code session} of host {@code name} (found dead) and closes it. */
    void drop(OperationId op, String name, Session session) {
        Map<String, Slot> slots = byOperation.get(op);
        Slot slot = slots == null ? null : slots.get(name);
        if (slot != null) {
            synchronized (slot) {
                if (slot.session == session) {
                    slot.session = null;
                }
            }
        }
        session.disconnect();
    }

    /** Closes the sessions of {@code op}: targets first, then their jump hosts. */
    void release(OperationId op) {
        Map<String, Slot> slots = byOperation.remove(op);
        if (slots == null) {
            return;
        }
        List<Slot> all = new ArrayList<>(slots.values());
        all.sort(Comparator.comparingInt(s -> s.depth));
        for (Slot slot : all) {
            Session s;
            synchronized (slot) {
                s = slot.session;
                slot.session = null;
            }
            if (s != null) {
                s.disconnect();
            }
        }
    }

    /** Closes every session of every operation. */
    void releaseAll() {
        List.copyOf(byOperation.keySet()).forEach(this::release);
    }

    /** How many sessions are open now, over all operations. */
    int openSessions() {
        int n = 0;
        for (Map<String, Slot> slots : byOperation.values()) {
            for (Slot slot : slots.values()) {
                synchronized (slot) {
                    n += slot.session != null && slot.session.isConnected() ? 1 : 0;
                }
            }
        }
        return n;
    }

    private Session session(OperationId op, String name, CancelPoint attempt, List<String> chain) throws SshFailure {
        SshTarget target = hosts.target(name).orElseThrow(() -> new SshFailure(chain.isEmpty()
                ? "no host " + name + " in the inventory"
                : "jump host " + name + " of " + chain.get(chain.size() - 1) + " is not in the inventory"));
        Slot slot = byOperation.computeIfAbsent(op, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(name, k -> new Slot());
        synchronized (slot) {
            slot.depth = Math.max(slot.depth, chain.size());
            boolean runsCommands = chain.isEmpty();
            if (runsCommands && slot.refused != null) {
                throw new SshFailure(slot.refused);
            }
            Session live = slot.session;
            if (live == null || !live.isConnected()) {
                slot.session = null;
                if (live != null) {
                    live.disconnect();
                }
                live = open(op, target, attempt, chain);
                slot.session = live;
                slot.probed = false;
            }
            if (runsCommands && !slot.probed) {
                probe(slot, live, target, attempt);
            }
            return live;
        }
    }

    /** Probes the login shell of a new connection that will run commands, once; refuses a shell that is not POSIX. */
    private void probe(Slot slot, Session session, SshTarget target, CancelPoint attempt) throws SshFailure {
        String refused = ShellProbe.refusal(session, target, options.connectTimeout(), attempt);
        if (refused == null) {
            slot.probed = true;
            return;
        }
        LOG.warn("{}", refused);
        slot.refused = refused;
        if (slot.depth == 0) {
            slot.session = null;
            session.disconnect();
        }
        throw new SshFailure(refused);
    }

    private Session open(OperationId op, SshTarget target, CancelPoint attempt, List<String> chain) throws SshFailure {
        Session jump = null;
        String jumpName = target.jump().orElse(null);
        if (jumpName != null) {
            List<String> next = new ArrayList<>(chain);
            next.add(target.name());
            if (next.contains(jumpName)) {
                throw new SshFailure("jump hosts form a loop: " + String.join(" -> ", next) + " -> " + jumpName);
            }
            jump = session(op, jumpName, attempt, next);
        }
        for (int round = 0; ; round++) {
            try {
                return handshake(target, jump, jumpName, attempt);
            } catch (SshFailure f) {
                if (!f.retryable() || round > 0 || attempt.cancelled()) {
                    throw f;
                }
                LOG.info("retrying {}: {}", target.name(), f.getMessage());
                pause(200 + ThreadLocalRandom.current().nextInt(300), attempt);
            }
        }
    }

    private Session handshake(SshTarget target, Session jump, String jumpName, CancelPoint attempt) throws SshFailure {
        acquire(attempt);
        try {
            int connectMillis = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
            int aliveMillis = (int) Math.min(Integer.MAX_VALUE, options.keepAlive().toMillis());
            KnownHostsFile.Check check = knownHosts.check();
            Session s;
            JumpProxy proxy = null;
            try {
                s = jsch.getSession(target.user(), target.address(), target.port());
                s.setConfig("StrictHostKeyChecking", "yes");
                s.setConfig("PreferredAuthentications", "publickey");
                s.setConfig("HashKnownHosts", "no");
                s.setHostKeyRepository(check);
                s.setIdentityRepository(identities.forKey(target.keyFile().or(options::defaultKeyFile)));
                s.setServerAliveInterval(aliveMillis);
                s.setServerAliveCountMax(SshOptions.KEEPALIVE_COUNT);
                s.setDaemonThread(true);
                if (jump != null) {
                    proxy = new JumpProxy(jump, jumpName, connectMillis);
                    s.setProxy(proxy);
                }
            } catch (JSchException e) {
                throw new SshFailure("cannot set up a connection to " + target.name() + ": " + e.getMessage());
            }
            AtomicBoolean timedOut = new AtomicBoolean();
            AtomicBoolean done = new AtomicBoolean();
            Session session = s;
            attempt.stopWith(session::disconnect);
            // JSch bounds each read of a direct handshake; this bounds the whole of it, through jump hosts too.
            ScheduledFuture<?> watchdog = timer.schedule(() -> {
                if (!done.get()) {
                    timedOut.set(true);
                    session.disconnect();
                }
            }, connectMillis, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            try {
                session.connect(connectMillis);
                done.set(true);
            } catch (JSchException e) {
                session.disconnect();
                throw classify(e, target, jumpName, check, timedOut.get(), attempt);
            } finally {
                watchdog.cancel(false);
                attempt.clear();
            }
            if (attempt.cancelled() || timedOut.get() || !session.isConnected()) {
                session.disconnect();
                throw attempt.cancelled() ? new SshFailure("cancelled") : new SshFailure("cannot connect to "
                        + target.name() + ": timed out after " + options.connectTimeout().toSeconds() + " s");
            }
            if (proxy != null) {
                proxy.readTimeout(aliveMillis);
            }
            LOG.debug("connected to {} ({}{}) in {} ms", target.name(), target.endpoint(),
                    jumpName == null ? "" : " via " + jumpName, (System.nanoTime() - start) / 1_000_000);
            return session;
        } finally {
            permits.release();
        }
    }

    private void acquire(CancelPoint attempt) throws SshFailure {
        try {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (attempt.cancelled()) {
                    throw new SshFailure("cancelled");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailure("interrupted");
        }
    }

    private static void pause(long millis, CancelPoint attempt) throws SshFailure {
        try {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < end) {
                if (attempt.cancelled()) {
                    throw new SshFailure("cancelled");
                }
                Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailure("interrupted");
        }
    }

    /** Turns a failed connect into one line naming the host (and for a host key, the offered fingerprint). */
    private SshFailure classify(JSchException e, SshTarget target, String jumpName, KnownHostsFile.Check check,
            boolean timedOut, CancelPoint attempt) {
        if (attempt.cancelled()) {
            return new SshFailure("cancelled");
        }
        if (e instanceof JSchRevokedHostKeyException) {
            return new SshFailure(check.reason(target.name(), true));
        }
        if (check.refused()) {
            return new SshFailure(check.reason(target.name(), false));
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String where = target.name() + " (" + target.endpoint() + (jumpName == null ? "" : " via " + jumpName) + ")";
        if (timedOut || root instanceof SocketTimeoutException || message.startsWith("timeout")) {
            return new SshFailure("cannot connect to " + where + ": timed out after "
                    + options.connectTimeout().toSeconds() + " s");
        }
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
            return new SshFailure("cannot log in to " + target.name() + " as " + target.user()
                    + ": the server accepted none of our keys");
        }
        if (message.startsWith("jump host ")) {
            return new SshFailure(message);
        }
        if (root instanceof UnknownHostException) {
            return new SshFailure("cannot resolve the address of " + target.name() + " (" + target.address() + ")");
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException) {
            String why = root.getMessage() == null ? "connection refused" : root.getMessage().toLowerCase();
            return new SshFailure("cannot connect to " + where + ": " + why, root instanceof ConnectException);
        }
        if (message.contains("closed by foreign host") || message.contains("End of IO Stream")
                || root instanceof EOFException || root instanceof SocketException) {
            return new SshFailure(where + " closed the connection during the handshake", true);
        }
        return new SshFailure("cannot connect to " + where + ": " + message);
    }
}
