package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.exec.testing.Processes;

/**
 * The stop script, run here by dash and bash against a process group of our own (what it does on the host through
 * the second channel; {@code SshCancelTest} runs it over a real sshd).
 */
class RemoteStopTest {
    private Process group;

    @BeforeEach
    void needsSetsid() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs setsid");
    }

    @AfterEach
    void kill() {
        if (group != null) {
            group.descendants().forEach(ProcessHandle::destroyForcibly);
            group.destroyForcibly();
        }
    }

    /** Starts {@code command} in a session of its own and returns its process group, once it leads it. */
    private long startGroup(String command) throws Exception {
        group = new ProcessBuilder("/usr/bin/setsid", "/bin/sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!leadsItsGroup(group.pid())) {
            assertThat(System.nanoTime()).as("setsid ran").isLessThan(deadline);
            Thread.sleep(10);
        }
        Thread.sleep(200);
        return group.pid();
    }

    private static int runScript(String shell, long pgid, Duration grace) throws Exception {
        Process p = new ProcessBuilder(shell, "-c", RemoteStop.script(pgid, grace)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void termEndsTheGroupAtOnce() throws Exception {
        for (String shell : List.of("/bin/dash", "/bin/bash")) {
            long pgid = startGroup("sleep 300 & exec sleep 301");
            List<ProcessHandle> members = group.descendants().toList();
            long start = System.nanoTime();

            assertThat(runScript(shell, pgid, Duration.ofSeconds(5))).as(shell).isZero();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(shell).isLessThan(Duration.ofSeconds(3));
            assertThat(group.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(members).noneMatch(m -> Processes.running(m.pid()));
        }
    }

    /**
     * The killed child is an orphan: where no init reaps orphans (as in this test machine's), it stays a zombie in
     * the group, which must not count as still running.
     */
    @Test
    void whatIgnoresTermIsKilledAfterTheGrace() throws Exception {
        for (String shell : List.of("/bin/dash", "/bin/bash")) {
            long pgid = startGroup("trap '' TERM; sleep 300 & wait");
            List<ProcessHandle> members = group.descendants().toList();
            long start = System.nanoTime();

            assertThat(runScript(shell, pgid, Duration.ofSeconds(1))).as(shell).isZero();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(shell).isGreaterThan(Duration.ofMillis(900));
            assertThat(group.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(members).noneMatch(m -> Processes.running(m.pid()));
        }
    }

    @Test
    void aGroupAlreadyGoneIsNothingToStop() throws Exception {
        long pgid = startGroup("sleep 300");
        group.destroyForcibly().waitFor();

        assertThat(runScript("/bin/sh", pgid, Duration.ofSeconds(1))).isZero();
    }

    @Test
    void neverSignalsGroupZeroOrOne() {
        assertThatThrownBy(() -> RemoteStop.script(1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteStop.script(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean leadsItsGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[2].equals(Long.toString(pid));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
