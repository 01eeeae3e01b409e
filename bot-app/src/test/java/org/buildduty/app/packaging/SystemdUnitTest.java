package org.buildduty.app.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code packaging/buildduty.service}: systemd's own checker accepts it ({@code systemd-analyze verify}, and
 * {@code systemd-analyze security} rates its exposure "OK", 2.0 or less; both skipped where the tool is absent), and
 * it runs the bot as the operations guide says: a non-root user, always restarted (a high-availability leader that
 * lost its lease exits 70 and must come back as a standby), reloaded by SIGHUP, a bounded heap overridable through
 * JAVA_OPTS, the file system read-only but for its data folder.
 */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("..", "packaging", "buildduty.service").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnitWithoutAWarning() throws Exception {
        Path unit = forTheTool();
        Result r = run("verify", unit.toString());
        assertThat(r.output()).as("systemd-analyze verify's warnings").isEmpty();
        assertThat(r.status()).isZero();
    }

    @Test
    void itsExposureIsOk() throws Exception {
        Path unit = forTheTool();
        Result r = run("security", "--offline=true", "--threshold=20", unit.toString());
        assertThat(r.status()).as("exposure above 2.0:\n" + r.output()).isZero();
        assertThat(r.output()).contains("Overall exposure level for buildduty.service");
    }

    @Test
    void itRunsTheBotAsANonRootUserThatComesBackAndReloads() throws IOException {
        Map<String, List<String>> s = section("Service");
        assertThat(s.get("User")).containsExactly("buildduty");
        assertThat(s.get("Restart")).containsExactly("always");
        assertThat(s.get("ExecReload")).containsExactly("/bin/kill -HUP $MAINPID");
        assertThat(s.get("Environment")).anyMatch(e -> e.matches("\"?JAVA_OPTS=-Xmx\\d+[mg]\"?"));
        String exec = s.get("ExecStart").get(0);
        assertThat(exec).as("the JIT's thresholds, then $JAVA_OPTS unbraced (systemd splits it), before -jar")
                .matches("/\\S*java -XX:CompileThresholdScaling=0\\.05 -XX:TieredStopAtLevel=1"
                        + " -XX:\\+UseTransparentHugePages \\$JAVA_OPTS"
                        + " -jar \\S+\\.jar --config \\S+");
    }

    @Test
    void theFileSystemIsReadOnlyButForTheDataFolder() throws IOException {
        Map<String, List<String>> s = section("Service");
        for (String yes : List.of("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices",
                "RestrictSUIDSGID")) {
            assertThat(s.get(yes)).as(yes).containsExactly("yes");
        }
        assertThat(s.get("ProtectSystem")).containsExactly("strict");
        String workdir = s.get("WorkingDirectory").get(0);
        assertThat(s.get("StateDirectory")).as("systemd creates /var/lib/<StateDirectory> for the user")
                .containsExactly("buildduty");
        assertThat(workdir).isEqualTo("/var/lib/buildduty");
        assertThat(s.get("ReadWritePaths")).as("the data folder (the working directory) stays writable")
                .contains(workdir);
        assertThat(s).as("the JIT needs writable executable memory").doesNotContainKey("MemoryDenyWriteExecute");
    }

    private record Result(int status, String output) {
    }

    /**
     * The unit in a folder of its own, for systemd-analyze (skipped where it is absent). verify insists that
     * ExecStart's program exists: where /usr/bin/java does not, the copy names this JVM's java instead.
     */
    private Path forTheTool() throws IOException {
        Path tool = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(tool != null, "systemd-analyze is not installed here");
        String text = Files.readString(UNIT);
        if (!Files.isExecutable(Path.of("/usr/bin/java"))) {
            text = text.replace("ExecStart=/usr/bin/java ",
                    "ExecStart=" + Path.of(System.getProperty("java.home"), "bin", "java") + " ");
        }
        Path copy = tmp.resolve("buildduty.service");
        Files.writeString(copy, text);
        return copy;
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("systemd-analyze"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(tmp.toFile());
        pb.environment().put("SYSTEMD_COLORS", "0");
        pb.environment().put("SYSTEMD_PAGER", "");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out.strip());
    }

    /** The keys of one {@code [section]}: each key's values in order (a key may repeat). */
    private static Map<String, List<String>> section(String name) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String current = null;
        for (String raw : Files.readAllLines(UNIT)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.length() - 1);
            } else if (name.equals(current) && line.contains("=")) {
                int eq = line.indexOf('=');
                keys.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
        }
        assertThat(keys).as("[" + name + "] of " + UNIT).isNotEmpty();
        return keys;
    }
}
