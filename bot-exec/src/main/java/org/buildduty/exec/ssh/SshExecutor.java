package org.buildduty.exec.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.LineSink;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.param.ShellQuote;

/**
 * Runs a step's {@code command} on its host over SSH (kind {@code ssh}), streaming stdout and stderr line by line
 * and failing with {@code exit N} on a non-zero exit status.
 *
 * <p>The command is the frozen runbook text with {@code {{host}}}, {@code {{operation}}} and kept values bound through
 * {@link ShellQuote#quote} (parameters were quoted by the planner); it runs in an exec channel without a pty, with
 * stdin closed, through the login shell of the host's user, which must read POSIX shell syntax (sh, bash, dash, ksh,
 * zsh; not fish or csh): each new connection is probed once with {@code printf '%s' "$((6*7))"}, and a host whose shell
 * does not print 42 is refused in one line naming it, before any command runs there. Hosts come from {@link SshHosts}:
 * an unknown name fails with "no host X in the inventory". Authentication is by public key only (key file, passphrase
 * from {@link SshOptions#passphrase()}, ssh-agent); host keys are always checked against the known_hosts file, for jump
 * hosts too, and an unknown or changed key fails the run naming the host and the {@code SHA256:} fingerprint the server
 * offered. A host may be reached through a chain of jump hosts ({@code direct-tcpip} channels, like OpenSSH's
 * {@code ProxyJump}).
 *
 * <p>Connections are per operation and host: the steps of one operation share one connection per host, a connection
 * found dead before a command starts is reopened once, and {@link #operationFinished} closes them. Connections lost
 * while a command runs (a dead peer is noticed after {@link SshOptions#KEEPALIVE_COUNT} unanswered keepalives) fail
 * the run with "connection to HOST lost"; the command is never re-run. At most
 * {@link SshOptions#maxConnectsInFlight()} connections are being opened at once; one dropped by the server during
 * the handshake is retried once. {@link #execute} is reentrant: other executors may call it with their own context.
 *
 * <p>A cancel (user, timeout, shutdown) stops the command's whole process group, whoever logs in. The command is sent
 * behind a marker that prints the login shell's pid, which is its process group ({@link GroupMarker}; the line is
 * taken out of stderr, the output and exit status are the command's own). The cancel asks the server to send
 * SIGTERM ({@code signal} request, which OpenSSH honours only for logins other than root); half a second
 * later a second exec channel on the same connection sends SIGTERM to the group, and SIGKILL to what is left
 * {@link #KILL_GRACE} later ({@link RemoteStop}). Only then does the run return, {@code CANCELLED}; when the command
 * could not be stopped (no second channel, connection lost, still running after SIGKILL, no marker), the result says
 * why in {@link StepResult#notStopped()}. Processes that left the group ({@code setsid}, a daemon) are not stopped.
 *
 * <pre>{@code
 * SshExecutor ssh = new SshExecutor(inventory, SshOptions.defaults(knownHosts).withDefaultKeyFile(key));
 * Runner runner = Runner.builder().executor(ssh).build();
 * }</pre>
 */
public final class SshExecutor implements StepExecutor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshExecutor.class);
    /** How often a running command is checked for close, cancel and a lost connection. */
    private static final long POLL_MILLIS = 20;
    /** How long a cancel waits for the {@code signal} request to end the command before it kills the group. */
    static final Duration SIGNAL_GRACE = Duration.ofMillis(500);
    /** How long a cancelled command's process group has between SIGTERM and SIGKILL (as for local steps). */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** Run once on each new connection: a POSIX-like login shell prints {@code 42}. */
    static final String SHELL_PROBE = ShellProbe.COMMAND;

    private final SshHosts hosts;
    private final SshOptions options;
    private final ScheduledExecutorService timer;
    private final ExecutorService stoppers;
    private final Connections connections;

    /** An executor for these hosts; the ssh-agent is found through {@code SSH_AUTH_SOCK}. */
    public SshExecutor(SshHosts hosts, SshOptions options) {
        this(hosts, options, System::getenv);
    }

    /** An executor that reads {@code SSH_AUTH_SOCK} through {@code env} (for tests). */
    SshExecutor(SshHosts hosts, SshOptions options, Function<String, String> env) {
        this.hosts = Objects.requireNonNull(hosts, "hosts");
        this.options = Objects.requireNonNull(options, "options");
        this.timer = Executors.newSingleThreadScheduledExecutor(daemons("ssh-timer-"));
        this.stoppers = Executors.newCachedThreadPool(daemons("ssh-stop-"));
        Identities identities = new Identities(options.passphrase(), options.agent(), env);
        this.connections = new Connections(hosts, options, identities, timer);
    }

    @Override
    public String kind() {
        return "ssh";
    }

    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        Object command = args.get("command");
        if (!(command instanceof String text) || text.isBlank()) {
            problems.put("command", "a non-empty command is required");
        }
        return problems;
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        if (host == null) {
            return StepResult.failed(null, null, "an ssh step needs hosts", "");
        }
        String template = request.step().arg("command");
        if (template.isBlank()) {
            return StepResult.failed(host, null, "no command", "");
        }
        String command;
        try {
            command = request.bind(template, ShellQuote::quote);
        } catch (IllegalArgumentException e) {
            return StepResult.failed(host, null, "cannot pass a value to the shell: " + e.getMessage(), "");
        }
        if (hosts.target(host).isEmpty()) {
            return StepResult.failed(host, null, "no host " + host + " in the inventory", "");
        }
        CancelPoint attempt = CancelPoint.attach(context);
        OperationId op = request.operation();
        for (int round = 0; ; round++) {
            if (attempt.cancelled()) {
                return cancelled(host, "");
            }
            Session session;
            try {
                session = connections.session(op, host, attempt);
            } catch (SshFailure f) {
                return attempt.cancelled() ? cancelled(host, "") : StepResult.failed(host, null, f.getMessage(), "");
            }
            ChannelExec channel = null;
            AtomicReference<String> last = new AtomicReference<>("");
            LineSink out = new LineSink(OutputChannel.STDOUT, context, last);
            GroupMarker err = new GroupMarker(new LineSink(OutputChannel.STDERR, context, last));
            // JSch waits for the reply to each channel request, and a refused signal request sent while connect()
            // still waits for the exec request's reply makes connect() fail: the signal waits for the connect.
            CountDownLatch connected = new CountDownLatch(1);
            try {
                channel = (ChannelExec) session.openChannel("exec");
                if (channel == null) {
                    throw new JSchException("session is down");
                }
                channel.setCommand(err.wrap(command).getBytes(StandardCharsets.UTF_8));
                channel.setPty(false);
                channel.setOutputStream(out, false);
                channel.setErrStream(err, false);
                ChannelExec started = channel;
                attempt.stopWith(() -> signal(started, connected));
                if (attempt.cancelled()) {
                    connected.countDown();
                    channel.disconnect();
                    return cancelled(host, "");
                }
                channel.connect((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
                connected.countDown();
                channel.getOutputStream().close();
            } catch (JSchException | IOException e) {
                connected.countDown();
                if (attempt.cancelled()) {
                    // The command may have started (its marker came): stop it all the same.
                    String notStopped = err.pgid() == 0 || !session.isConnected() ? ""
                            : stopGroup(host, session, err.pgid());
                    if (channel != null) {
                        channel.disconnect();
                    }
                    return cancelled(host, "").withNotStopped(notStopped);
                }
                if (channel != null) {
                    channel.disconnect();
                }
                if (!session.isConnected() && round == 0) {
                    LOG.info("connection to {} was dead; reconnecting", host);
                    connections.drop(op, host, session);
                    continue;
                }
                return StepResult.failed(host, null, "cannot start the command on " + host + ": " + e.getMessage(),
                        "");
            }
            return follow(op, host, session, channel, out, err, last, attempt);
        }
    }

    /**
     * Follows a started command until it ends, is cancelled, or its connection is lost. JSch delivers its output to
     * the sinks on the session thread, so all of it has arrived once the channel is closed.
     */
    private StepResult follow(OperationId op, String host, Session session, ChannelExec channel, LineSink out,
            GroupMarker err, AtomicReference<String> last, CancelPoint attempt) {
        try {
            while (!channel.isClosed() && session.isConnected() && !attempt.cancelled()) {
                Thread.sleep(POLL_MILLIS);
            }
            if (attempt.cancelled()) {
                String notStopped = stopCommand(session, channel, err);
                if (!notStopped.isEmpty()) {
                    LOG.warn("could not stop the cancelled command on {}: {}", host, notStopped);
                }
                channel.disconnect();
                finish(out, err);
                return cancelled(host, last.get()).withNotStopped(notStopped);
            }
            if (!channel.isClosed()) {
                channel.disconnect();
                connections.drop(op, host, session);
                finish(out, err);
                return StepResult.failed(host, null, "connection to " + host + " lost", last.get());
            }
            int exit = channel.getExitStatus();
            String signal = channel.getExitSignal();
            channel.disconnect();
            finish(out, err);
            if (exit == 0) {
                return StepResult.succeeded(host, 0, last.get());
            }
            if (exit > 0) {
                return StepResult.failed(host, exit, "exit " + exit, last.get());
            }
            if (signal != null && !signal.isEmpty()) {
                return StepResult.failed(host, null, "killed by signal " + signal, last.get());
            }
            // Closed without an exit status: the connection went down with it, or the server gave none.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (session.isConnected() && System.nanoTime() < until) {
                Thread.sleep(POLL_MILLIS);
            }
            if (!session.isConnected()) {
                connections.drop(op, host, session);
                return StepResult.failed(host, null, "connection to " + host + " lost", last.get());
            }
            return StepResult.failed(host, null, host + " closed the command without an exit status", last.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(channel);
            finish(out, err);
            return new StepResult(StepOutcome.CANCELLED, host, null, "interrupted", last.get());
        } finally {
            attempt.clear();
        }
    }

    /**
     * Stops a cancelled command and says why it could not, or empty. The {@code signal} request sent by the cancel
     * has {@link #SIGNAL_GRACE} to end it; then its process group is stopped through a second channel
     * ({@link RemoteStop}), also when the command ended, so the children it left in its group go too.
     */
    private String stopCommand(Session session, ChannelExec channel, GroupMarker marker)
            throws InterruptedException {
        awaitClosed(channel, SIGNAL_GRACE.toMillis());
        long pgid = marker.pgid();
        if (pgid == 0) {
            return channel.isClosed() ? "" : "its process group is unknown (the login shell did not print it)";
        }
        if (!session.isConnected()) {
            return "connection lost";
        }
        String why = RemoteStop.run(session, pgid, KILL_GRACE, options.connectTimeout());
        awaitClosed(channel, 1000);
        return why;
    }

    /** {@link RemoteStop} outside {@link #follow}, which handles the interrupt itself. */
    private String stopGroup(String host, Session session, long pgid) {
        try {
            String why = RemoteStop.run(session, pgid, KILL_GRACE, options.connectTimeout());
            if (!why.isEmpty()) {
                LOG.warn("could not stop the cancelled command on {}: {}", host, why);
            }
            return why;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while stopping it";
        }
    }

    /**
     * Asks the server to send SIGTERM to a cancelled command's process group (a {@code signal} request, which OpenSSH
     * honours for logins other than root), without blocking the canceller.
     */
    private void signal(ChannelExec channel, CountDownLatch connected) {
        try {
            stoppers.execute(() -> {
                try {
                    if (connected.await(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                        sendSignal(channel);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("executor closed: no signal request");
        }
    }

    /** Leaves a command whose thread was interrupted: a signal request, and the channel closed. */
    private void abandon(ChannelExec channel) {
        try {
            stoppers.execute(() -> {
                sendSignal(channel);
                channel.disconnect();
            });
        } catch (RejectedExecutionException e) {
            channel.disconnect();
        }
    }

    private static void sendSignal(ChannelExec channel) {
        try {
            channel.sendSignal("TERM");
        } catch (Exception e) {
            LOG.debug("signal request not sent: {}", e.toString());
        }
    }

    private static void awaitClosed(ChannelExec channel, long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!channel.isClosed() && channel.isConnected() && System.nanoTime() < until) {
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static void finish(LineSink out, GroupMarker err) {
        out.finish();
        err.finish();
    }

    private static StepResult cancelled(String host, String lastLine) {
        return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", lastLine);
    }

    /** Closes the operation's connections (after its rollbacks). */
    @Override
    public void operationFinished(OperationId operation) {
        try {
            connections.release(operation);
        } catch (RuntimeException e) {
            LOG.warn("closing the SSH connections of {} failed", operation, e);
        }
    }

    /** How many connections are open now (for tests). */
    int openConnections() {
        return connections.openSessions();
    }

    /** Closes every connection and stops the executor's threads. */
    @Override
    public void close() {
        connections.releaseAll();
        timer.shutdownNow();
        stoppers.shutdown();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
