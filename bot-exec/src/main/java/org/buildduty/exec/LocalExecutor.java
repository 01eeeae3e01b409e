package org.buildduty.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.LineSink;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.param.ShellQuote;

/**
 * Runs a step's {@code command} as a local process through {@code /bin/sh -c}, streaming its stdout and stderr line by
 * line (kind {@code local}).
 *
 * <p>The command text is trusted runbook text: any parameter in it was validated and shell-quoted by the planner
 * before the operation was frozen, so this executor passes it to the shell as it is and never quotes or inspects
 * it. Chat text must never reach it unquoted.
 *
 * <p>Arguments: {@code command} (required), {@code dir} (optional working directory). The process gets the bot's
 * environment plus {@code BUILDDUTY_OPERATION=<id>} and, for a host run, {@code BUILDDUTY_HOST=<host>}; its stdin is
 * closed; it runs in a session of its own (through {@code setsid}, where installed). Output is reported line by
 * line through a {@link LineSink} (UTF-8, long lines cut and marked with {@code …}).
 * Exit 0 succeeds; any other exit fails with reason {@code exit N}. A cancel terminates the whole process tree (its
 * process group, and every descendant seen at that moment) and kills what is left after the grace period.
 * Background children that outlive a shell which exited on its own are left alone; what they write more than 2 s
 * after the shell exits is not reported. The inherited environment includes the bot's own, so keep secrets out of
 * it or out of the commands' reach.
 *
 * <pre>{@code
 * StepSpec step = StepSpec.of("list", "local", Map.of("command", "ls -l /srv/builds", "dir", "/srv"));
 * StepResult result = new LocalExecutor().execute(new ExecRequest(id, step, null, timeout), context);
 * }</pre>
 */
public final class LocalExecutor implements StepExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(LocalExecutor.class);
    /** How long to wait for the output readers once the process has exited. */
    private static final long DRAIN_MILLIS = 2000;
    /** The setsid binary that puts the shell in its own process group, or null where there is none. */
    private static final String SETSID = findSetsid();

    private final Duration killGrace;
    private final Set<String> hiddenEnv;

    /** An executor that kills a cancelled process tree 2 s after asking it to terminate. */
    public LocalExecutor() {
        this(Duration.ofSeconds(2), Set.of());
    }

    /** An executor that kills a cancelled process tree {@code killGrace} after asking it to terminate. */
    public LocalExecutor(Duration killGrace) {
        this(killGrace, Set.of());
    }

    /**
     * An executor whose commands never see the environment variables named in {@code hiddenEnv} (the ones the
     * configuration reads secrets from), so a runbook command cannot print the bot's credentials.
     */
    public LocalExecutor(Duration killGrace, Set<String> hiddenEnv) {
        this.killGrace = Objects.requireNonNull(killGrace, "killGrace");
        this.hiddenEnv = Set.copyOf(hiddenEnv);
    }

    @Override
    public String kind() {
        return "local";
    }

    @Override
    public Map<String, String> validateArgs(Map<String, Object> args) {
        Map<String, String> problems = new LinkedHashMap<>();
        Object command = args.get("command");
        if (!(command instanceof String text) || text.isBlank()) {
            problems.put("command", "a non-empty command is required");
        }
        Object dir = args.get("dir");
        if (dir != null && (!(dir instanceof String path) || path.isBlank())) {
            problems.put("dir", "must be a directory path");
        }
        return problems;
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        String command = request.step().arg("command");
        if (command.isBlank()) {
            return StepResult.failed(host, null, "no command", "");
        }
        command = request.bind(command, ShellQuote::quote);
        ProcessBuilder pb = SETSID != null ? new ProcessBuilder(SETSID, "/bin/sh", "-c", command)
                : new ProcessBuilder("/bin/sh", "-c", command);
        String dir = request.step().arg("dir");
        if (!dir.isEmpty()) {
            File d = new File(dir);
            if (!d.isDirectory()) {
                return StepResult.failed(host, null, "no such directory: " + dir, "");
            }
            pb.directory(d);
        }
        pb.environment().keySet().removeAll(hiddenEnv);
        pb.environment().put("BUILDDUTY_OPERATION", Long.toString(request.operation().value()));
        if (host != null) {
            pb.environment().put("BUILDDUTY_HOST", host);
        } else {
            pb.environment().remove("BUILDDUTY_HOST");
        }
        Process process;
        try {
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            return StepResult.failed(host, null, "cannot start /bin/sh: " + e.getMessage(), "");
        }
        AtomicReference<String> lastLine = new AtomicReference<>("");
        String name = "local-" + request.operation().value() + (host == null ? "" : "-" + host);
        Thread out = reader(name + "-out", process.getInputStream(), OutputChannel.STDOUT, context, lastLine);
        Thread err = reader(name + "-err", process.getErrorStream(), OutputChannel.STDERR, context, lastLine);
        context.onCancel(() -> terminate(process));
        int exit;
        try {
            exit = process.waitFor();
            long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
            out.join(DRAIN_MILLIS);
            err.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(drainUntil - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate(process);
            return new StepResult(StepOutcome.CANCELLED, host, null, "interrupted", lastLine.get());
        }
        if (context.cancelled()) {
            return new StepResult(StepOutcome.CANCELLED, host, exit, "cancelled", lastLine.get());
        }
        if (exit == 0) {
            return StepResult.succeeded(host, 0, lastLine.get());
        }
        return StepResult.failed(host, exit, "exit " + exit, lastLine.get());
    }

    /**
     * Asks the process tree to terminate and kills what is left after the grace period. The shell runs in its own
     * session (through {@code setsid}) where available, so its whole process group is signalled, which also reaches
     * children forked at the last moment; the descendants seen at cancel time are signalled one by one as well.
     */
    private void terminate(Process process) {
        ProcessHandle leader = process.toHandle();
        long pgid = process.pid();
        boolean group = SETSID != null && awaitGroupLeader(leader);
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        if (group) {
            signalGroup(pgid, "TERM");
        }
        leader.destroy();
        tree.forEach(ProcessHandle::destroy);
        Runnable kill = () -> {
            // The group id is still ours while its leader lives, or while no process has that pid at all (a live
            // group keeps its id from being reused); anything else means the group is gone and the pid reused.
            Optional<ProcessHandle> now = ProcessHandle.of(pgid);
            if (SETSID != null && (now.isEmpty() || now.get().equals(leader))) {
                signalGroup(pgid, "KILL");
            }
            if (leader.isAlive()) {
                leader.destroyForcibly();
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        };
        if (killGrace.isZero() || killGrace.isNegative()) {
            kill.run();
        } else {
            CompletableFuture.delayedExecutor(killGrace.toMillis(), TimeUnit.MILLISECONDS).execute(kill);
        }
    }

    /**
     * Waits (briefly) until a just-started process has run setsid, so a cancel right after the start still reaches
     * the children it forks. False if it died first or never did.
     */
    private static boolean awaitGroupLeader(ProcessHandle leader) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (!isGroupLeader(leader.pid())) {
            if (!leader.isAlive() || System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** True when the process leads its own process group (setsid has run), read from {@code /proc}. */
    static boolean isGroupLeader(long pid) {
        if (pid <= 1) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields.length > 2 && fields[2].equals(Long.toString(pid));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Sends {@code signal} to process group {@code pgid} (never to group 0 or 1, which would hit us or everyone). */
    private static void signalGroup(long pgid, String signal) {
        if (pgid <= 1) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- -" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.getOutputStream().close();
            if (!kill.waitFor(2, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("cannot signal process group {}: {}", pgid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String findSetsid() {
        for (String path : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(path))) {
                return path;
            }
        }
        return null;
    }

    private static Thread reader(String name, InputStream in, OutputChannel stream, ExecContext context,
            AtomicReference<String> lastLine) {
        Thread t = new Thread(() -> readLines(in, stream, context, lastLine), name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void readLines(InputStream in, OutputChannel stream, ExecContext context,
            AtomicReference<String> lastLine) {
        LineSink sink = new LineSink(stream, context, lastLine);
        try (in) {
            in.transferTo(sink);
        } catch (IOException e) {
            LOG.debug("{} stream closed: {}", stream, e.toString());
        } finally {
            sink.finish();
        }
    }
}
