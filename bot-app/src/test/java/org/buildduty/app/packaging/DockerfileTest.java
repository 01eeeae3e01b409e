package org.buildduty.app.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's ENTRYPOINT bounds the heap ({@code -XX:MaxRAMPercentage=75} of the container's memory limit), lowers
 * the JIT's thresholds as {@code ./buildduty} does, and passes {@code JAVA_OPTS} after them, so an operator's
 * {@code -Xmx} or percentage wins; {@code docker run} arguments still reach the bot. The ENTRYPOINT is run as
 * written, with a stand-in {@code java} first on the PATH that prints its arguments; the JVM options it gets are
 * then given to this machine's real JVM to read back the heap it sets.
 * Also the Dockerfile reader and the .dockerignore rules the replay test ({@link DockerfileReplayIT}) relies on.
 */
class DockerfileTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> JAR_AND_CONFIG =
            List.of("-jar", "/app/buildduty.jar", "--config", "/app/config/buildduty.yml");

    @TempDir
    Path tmp;

    @Test
    void theEntrypointBoundsTheHeapToThreeQuartersOfTheContainersMemory() throws Exception {
        List<String> args = entrypointArgs(null, List.of("--check"));
        assertThat(args).startsWith("-XX:MaxRAMPercentage=75", "-XX:CompileThresholdScaling=0.05",
                "-XX:TieredStopAtLevel=1", "-XX:+UseTransparentHugePages").doesNotContain("");
        assertThat(args.subList(args.size() - 5, args.size()))
                .as("then the jar, the shipped config and the docker run arguments")
                .containsExactlyElementsOf(concat(JAR_AND_CONFIG, List.of("--check")));
        assertThat(jvmFlag(jvmOptions(args), "MaxRAMPercentage")).isEqualTo("75.000000");
        assertThat(jvmFlag(jvmOptions(args), "CompileThresholdScaling")).isEqualTo("0.050000");
        assertThat(jvmFlag(jvmOptions(args), "TieredStopAtLevel")).isEqualTo("1");
    }

    @Test
    void javaOptsComeAfterTheDefaultSoTheOperatorsHeapWins() throws Exception {
        List<String> args = entrypointArgs("-Xmx128m -Dbuildduty.example=a*b", List.of());
        assertThat(args).containsExactlyElementsOf(concat(
                List.of("-XX:MaxRAMPercentage=75", "-XX:CompileThresholdScaling=0.05", "-XX:TieredStopAtLevel=1",
                        "-XX:+UseTransparentHugePages", "-Xmx128m", "-Dbuildduty.example=a*b"), JAR_AND_CONFIG));
        assertThat(jvmFlag(jvmOptions(args), "MaxHeapSize")).isEqualTo(String.valueOf(128L * 1024 * 1024));

        List<String> percent = entrypointArgs("-XX:MaxRAMPercentage=50", List.of());
        assertThat(jvmFlag(jvmOptions(percent), "MaxRAMPercentage")).isEqualTo("50.000000");
    }

    @Test
    void theReaderJoinsContinuationsAndFindsStagesAndExecForms() {
        Dockerfile d = Dockerfile.parse("""
                # comment
                FROM base:1 AS build
                WORKDIR /src
                RUN a \\
                  # inside
                  && b
                COPY --chown=x:y a b/
                FROM other
                COPY --from=build /src/x /y
                ENTRYPOINT ["sh", "-c", "exec x"]
                """);
        assertThat(d.stages()).hasSize(2);
        assertThat(d.stage("build").orElseThrow().all("RUN").get(0).args()).matches("a\\s+&& b");
        assertThat(Dockerfile.copyOperands(d.stage("build").orElseThrow().all("COPY").get(0)))
                .containsExactly("a", "b/");
        assertThat(Dockerfile.flag(d.last().all("COPY").get(0), "from")).contains("build");
        assertThat(d.last().all("ENTRYPOINT").get(0).execForm().orElseThrow()).containsExactly("sh", "-c", "exec x");
    }

    @Test
    void dockerignoreRulesMatchAsDockerMatchesThem() throws IOException {
        Files.writeString(tmp.resolve(".dockerignore"), """
                # comment
                **/target/
                *.db
                data/
                docs/*.png
                !docs/keep.png
                """);
        DockerIgnore ignore = DockerIgnore.of(tmp);
        assertThat(ignore.excludes("target/x.jar")).isTrue();
        assertThat(ignore.excludes("bot-app/target/classes/A.class")).isTrue();
        assertThat(ignore.excludes("bot-app/src/main/java/target.txt")).isFalse();
        assertThat(ignore.excludes("buildduty.db")).isTrue();
        assertThat(ignore.excludes("config/buildduty.db")).as("*.db matches at the root only").isFalse();
        assertThat(ignore.excludes("data/a/b")).isTrue();
        assertThat(ignore.excludes("docs/shot.png")).isTrue();
        assertThat(ignore.excludes("docs/keep.png")).isFalse();
        assertThat(ignore.prunes("data")).as("a ! rule exists: folders are walked").isFalse();
    }

    /** The arguments the stand-in java gets when the ENTRYPOINT runs with this JAVA_OPTS (null: unset). */
    private List<String> entrypointArgs(String javaOpts, List<String> dockerRunArgs) throws Exception {
        Dockerfile d = Dockerfile.read(REPO.resolve("Dockerfile"));
        List<Dockerfile.Instruction> entrypoints = d.last().all("ENTRYPOINT");
        assertThat(entrypoints).as("the runtime stage's ENTRYPOINT").hasSize(1);
        List<String> command = new ArrayList<>(entrypoints.get(0).execForm()
                .orElseThrow(() -> new AssertionError("the ENTRYPOINT is not in exec form, so docker run arguments "
                        + "and signals would not reach java: " + entrypoints.get(0))));
        command.addAll(dockerRunArgs);

        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(tmp.toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.remove("JAVA_OPTS");
        if (javaOpts != null) {
            env.put("JAVA_OPTS", javaOpts);
        }
        if (!command.get(0).contains("/")) {     // exec form: the image's PATH finds the program
            String name = command.get(0);
            command.set(0, Stream.of(env.get("PATH").split(":")).map(dir -> Path.of(dir, name))
                    .filter(Files::isExecutable).findFirst().orElseThrow().toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.isEmpty() ? List.of() : List.of(out.split("\n", -1)).subList(0, out.split("\n", -1).length - 1);
    }

    private static List<String> jvmOptions(List<String> javaArgs) {
        int jar = javaArgs.indexOf("-jar");
        assertThat(jar).as("-jar in " + javaArgs).isPositive();
        return javaArgs.subList(0, jar);
    }

    /** The value the real JVM reports for a flag when started with these options. */
    private static String jvmFlag(List<String> options, String flag) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + flag + "\\s+=\\s+(\\S+)").matcher(out);
        assertThat(m.find()).as(flag + " in " + out).isTrue();
        return m.group(1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
