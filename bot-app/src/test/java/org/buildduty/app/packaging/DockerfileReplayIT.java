package org.buildduty.app.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code docker build} of the repository's Dockerfile, without a Docker engine (none runs here): the build stage is
 * replayed into an empty folder by {@link DockerfileReplay} (exactly the files its COPY lines name, .dockerignore
 * respected; its RUN commands run there with Maven offline on the local repository), then every file the runtime
 * stage copies out of it must exist, and the jar it builds must check the configuration it ships.
 *
 * <p>Each module of the parent pom is also left out in turn (its COPY line dropped): the replay must then fail at
 * the first RUN, which shows the test sees a missing module.
 */
class DockerfileReplayIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path WORK = Path.of("target", "dockerfile-replay").toAbsolutePath();
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    @Test
    void theBuildStageBuildsTheJarTheRuntimeStageCopies() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("buildduty.unitTestPhase"),
                "an integration test: failsafe runs it (a -Dtest pattern matched it)");
        Dockerfile dockerfile = Dockerfile.read(REPO.resolve("Dockerfile"));
        Dockerfile.Stage build = buildStage(dockerfile);
        Path root = fresh(WORK.resolve("full"));
        DockerfileReplay replay = new DockerfileReplay(REPO, root.resolve("fs"), root.resolve("logs"));
        try {
            replay.replay(build, false);
        } catch (DockerfileReplay.Failure e) {
            fail("the Dockerfile's build stage does not build:\n" + e.getMessage());
        }

        List<String> missing = new ArrayList<>();
        for (Dockerfile.Stage stage : dockerfile.stages()) {
            for (Dockerfile.Instruction copy : stage.all("COPY")) {
                if (Dockerfile.flag(copy, "from").filter(f -> f.equalsIgnoreCase(build.name())).isPresent()) {
                    List<String> ops = Dockerfile.copyOperands(copy);
                    for (String source : ops.subList(0, ops.size() - 1)) {
                        if (!Files.exists(replay.inImage(root.resolve("fs"), source))) {
                            missing.add(copy + ": " + source);
                        }
                    }
                }
            }
        }
        assertThat(missing).as("files the runtime stage copies from the build stage").isEmpty();

        Path src = replay.inImage(root.resolve("fs"), "/src");
        Process check = new ProcessBuilder(javaBin(), "-jar", "bot-app/target/buildduty.jar",
                "--check", "--config", "config/buildduty.yml")
                .directory(src.toFile()).redirectErrorStream(true)
                .redirectOutput(root.resolve("logs/check.log").toFile()).start();
        assertThat(check.waitFor(2, TimeUnit.MINUTES)).as("--check finished").isTrue();
        assertThat(check.exitValue()).as("the built jar's --check of the shipped config: "
                + Files.readString(root.resolve("logs/check.log"))).isZero();
    }

    @Test
    void leavingOutAModulesPomFailsTheFirstRun() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("buildduty.unitTestPhase"),
                "an integration test: failsafe runs it (a -Dtest pattern matched it)");
        String text = Files.readString(REPO.resolve("Dockerfile"));
        List<String> modules = new ArrayList<>();
        Matcher m = MODULE.matcher(Files.readString(REPO.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1).strip());
        }
        assertThat(modules).as("modules of the parent pom").hasSizeGreaterThanOrEqualTo(6);
        for (String module : modules) {
            String line = "COPY " + module + "/pom.xml " + module + "/\n";
            if (!text.contains(line)) {
                fail("the Dockerfile has no line \"" + line.strip() + "\": module " + module + " of the parent pom");
            }
            Dockerfile without = Dockerfile.parse(text.replace(line, ""));
            Path root = fresh(WORK.resolve("without-" + module));
            DockerfileReplay replay = new DockerfileReplay(REPO, root.resolve("fs"), root.resolve("logs"));
            try {
                replay.replay(buildStage(without), true);
                fail("the replay without " + module + "/pom.xml passed its first RUN");
            } catch (DockerfileReplay.Failure e) {
                assertThat(e.getMessage()).contains("Child module").contains(module).contains("does not exist");
            }
        }
    }

    /** The stage the last stage copies its files from. */
    private static Dockerfile.Stage buildStage(Dockerfile dockerfile) {
        String name = dockerfile.last().all("COPY").stream()
                .flatMap(c -> Dockerfile.flag(c, "from").stream()).findFirst()
                .orElseThrow(() -> new AssertionError("the last stage copies nothing --from a build stage"));
        return dockerfile.stage(name).orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }
}
