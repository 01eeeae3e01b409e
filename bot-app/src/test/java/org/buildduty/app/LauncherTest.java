package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./buildduty} launcher gives the JVM a bounded heap and early JIT compilation by default, and lets
 * {@code JAVA_OPTS} override them.
 * The script runs from a copy in a temporary checkout (an empty jar, no sources, so it never builds) with a fake
 * {@code java} first on the PATH that records its arguments; the recorded JVM options are then handed to the real
 * JVM, which reports the heap limit it would run with.
 */
class LauncherTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void theBotRunsWithADefaultHeapOf128Mib() throws Exception {
        List<String> argv = launch(null, "--check");

        assertThat(argv).containsSubsequence("-Xmx128m", "-jar", "bot-app/target/buildduty.jar", "--config",
                "config/buildduty.yml", "--check");
        assertThat(maxHeapBytes(argv)).isEqualTo(128 * MIB);
    }

    @Test
    void theJitCompilesWithC1AfterATwentiethOfTheUsualCallsUnlessJavaOptsSaysOtherwise() throws Exception {
        List<String> argv = launch(null, "--check");
        assertThat(argv.subList(0, argv.indexOf("-jar"))).contains("-XX:CompileThresholdScaling=0.05",
                "-XX:TieredStopAtLevel=1");
        assertThat(flag(argv, "CompileThresholdScaling")).isEqualTo("0.050000");
        assertThat(flag(argv, "TieredStopAtLevel")).isEqualTo("1");

        List<String> usual = launch("-XX:CompileThresholdScaling=1 -XX:TieredStopAtLevel=4", "--check");
        assertThat(flag(usual, "CompileThresholdScaling")).isEqualTo("1.000000");
        assertThat(flag(usual, "TieredStopAtLevel")).isEqualTo("4");
    }

    @Test
    void theHeapAndCodeGoOnHugePagesWhereTheKernelGivesThemOnRequest() throws Exception {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean onRequest = Files.isReadable(thp) && Files.readString(thp).contains("[madvise]");
        List<String> argv = launch("-Xmx200m", "--check");
        List<String> jvm = argv.subList(0, argv.indexOf("-jar"));
        if (onRequest) {
            assertThat(jvm).as("on this machine's kernel, which gives them on request")
                    .containsSubsequence("-XX:TieredStopAtLevel=1", "-XX:+UseTransparentHugePages", "-Xmx200m");
            assertThat(flag(argv, "UseTransparentHugePages")).isEqualTo("true");
        } else {
            assertThat(jvm).as("on this machine's kernel, which gives them always or never")
                    .doesNotContain("-XX:+UseTransparentHugePages");
        }
    }

    @Test
    void javaOptsComeAfterTheDefaultsSoTheUsersHeapWins() throws Exception {
        List<String> argv = launch("-Xmx512m  -Dbuildduty.test=a", "--check");

        assertThat(argv.subList(0, argv.indexOf("-jar"))).containsSubsequence("-Xmx128m", "-Xmx512m",
                "-Dbuildduty.test=a");
        assertThat(maxHeapBytes(argv)).isEqualTo(512 * MIB);
    }

    @Test
    void theJournalSubcommandGetsTheSameOptions() throws Exception {
        List<String> argv = launch("-Xmx300m", "journal", "copy", "--help");

        assertThat(argv).containsSubsequence("-Xmx128m", "-Xmx300m", "-jar");
        assertThat(argv).endsWith("journal", "copy", "--help");
        assertThat(maxHeapBytes(argv)).isEqualTo(300 * MIB);
    }

    /** Runs a copy of {@code ./buildduty} with {@code JAVA_OPTS} (null: unset); returns what java was given. */
    private List<String> launch(String javaOpts, String... args) throws IOException, InterruptedException {
        Path checkout = dir.resolve("checkout");
        Files.createDirectories(checkout.resolve("bot-app/target"));
        Files.copy(REPO.resolve("buildduty"), checkout.resolve("buildduty"), StandardCopyOption.REPLACE_EXISTING);
        Files.write(checkout.resolve("bot-app/target/buildduty.jar"), new byte[0]);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path recorded = dir.resolve("argv");
        executable(bin.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + recorded
                + "'\n");
        List<String> command = new ArrayList<>(List.of(checkout.resolve("buildduty").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.remove("JAVA_OPTS");
        env.put("PATH", bin + ":/usr/bin:/bin");
        if (javaOpts != null) {
            env.put("JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return Files.readAllLines(recorded);
    }

    /** The heap limit the real JVM sets from the JVM options the launcher put before {@code -jar}. */
    private static long maxHeapBytes(List<String> argv) throws IOException, InterruptedException {
        return Long.parseLong(flag(argv, "MaxHeapSize"));
    }

    /** The value the real JVM gives {@code name} with the JVM options the launcher put before {@code -jar}. */
    private static String flag(List<String> argv, String name) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(argv.subList(0, argv.indexOf("-jar")));
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[1].equals(name)) {
                return f[3];
            }
        }
        throw new AssertionError("no " + name + " in: " + out);
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
