package org.buildduty.app.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Replays a Dockerfile's build stage without a Docker engine: it copies exactly what the stage's COPY lines name
 * from the build context (the repository minus {@code .dockerignore}) into an empty folder standing for the image's
 * file system, and runs the stage's RUN commands there, in order, in the WORKDIR.
 *
 * <p>Substitutions, the only differences from {@code docker build}: the commands run on this machine's JDK and shell
 * instead of the stage's base image; Maven runs offline against this user's local repository (the environment
 * variable {@code MAVEN_ARGS="-o -Dmaven.repo.local=~/.m2/repository"}, which Maven 3.9 prepends to its arguments),
 * where the image would download into its own; the Maven wrapper finds its distribution in {@code ~/.m2/wrapper}
 * instead of downloading it. Instructions that only describe the image (LABEL, EXPOSE, USER, VOLUME, ENTRYPOINT,
 * CMD) change no file and are skipped; any other instruction the replay does not know fails it.
 */
final class DockerfileReplay {
    /** A replay failure: what went wrong, with the instruction and, for a RUN, the lines that say why. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private final Path context;
    private final DockerIgnore ignore;
    private final Path root;
    private final Path logs;
    private final TreeSet<String> contextFiles = new TreeSet<>();

    /**
     * @param context the build context (the repository's root)
     * @param root an empty folder that stands for the stage's {@code /}
     * @param logs where each RUN's output is kept ({@code run-<line>.log})
     */
    DockerfileReplay(Path context, Path root, Path logs) throws IOException {
        this.context = context;
        this.ignore = DockerIgnore.of(context);
        this.root = root;
        this.logs = logs;
        Files.createDirectories(root);
        Files.createDirectories(logs);
        collect(context);
    }

    private void collect(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                String rel = relative(p);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    if (!ignore.prunes(rel)) {
                        collect(p);
                    }
                } else if (!ignore.excludes(rel)) {
                    contextFiles.add(rel);
                }
            }
        }
    }

    private String relative(Path p) {
        return context.relativize(p).toString().replace('\\', '/');
    }

    /** The files of the build context, relative paths with slashes. */
    TreeSet<String> contextFiles() {
        return contextFiles;
    }

    /**
     * Replays the stage's instructions in order.
     *
     * @param stopAtFirstRun stop after the first RUN (it succeeded): enough to see whether Maven reads the project
     */
    void replay(Dockerfile.Stage stage, boolean stopAtFirstRun) throws IOException, InterruptedException, Failure {
        Path workdir = root;
        Map<String, String> env = new LinkedHashMap<>();
        for (Dockerfile.Instruction ins : stage.instructions()) {
            switch (ins.keyword()) {
                case "WORKDIR" -> {
                    workdir = inImage(workdir, ins.args().strip());
                    Files.createDirectories(workdir);
                }
                case "ENV" -> env.putAll(assignments(ins));
                case "ARG" -> assignments(ins).forEach(env::putIfAbsent);
                case "COPY" -> copy(ins, workdir);
                case "RUN" -> {
                    run(ins, workdir, env);
                    if (stopAtFirstRun) {
                        return;
                    }
                }
                case "LABEL", "EXPOSE", "USER", "VOLUME", "ENTRYPOINT", "CMD", "STOPSIGNAL", "HEALTHCHECK" -> {
                    // describe the image; no file changes
                }
                default -> throw new Failure(ins + ": the replay does not know this instruction");
            }
        }
    }

    /** The replay's path for an image path, absolute or relative to the WORKDIR. */
    Path inImage(Path workdir, String imagePath) {
        Path p = imagePath.startsWith("/") ? root.resolve(imagePath.substring(1)) : workdir.resolve(imagePath);
        return p.normalize();
    }

    private static Map<String, String> assignments(Dockerfile.Instruction ins) {
        Map<String, String> values = new LinkedHashMap<>();
        String a = ins.args().strip();
        if (!a.contains("=")) {
            String[] kv = a.split("\\s+", 2);      // legacy "ENV KEY value"
            values.put(kv[0], kv.length > 1 ? kv[1] : "");
            return values;
        }
        for (String w : a.split("\\s+")) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                values.put(w.substring(0, eq), w.substring(eq + 1).replaceAll("^\"|\"$", ""));
            }
        }
        return values;
    }

    private void copy(Dockerfile.Instruction ins, Path workdir) throws IOException, Failure {
        if (Dockerfile.flag(ins, "from").isPresent()) {
            throw new Failure(ins + ": COPY --from inside the replayed stage is not replayed");
        }
        List<String> operands = Dockerfile.copyOperands(ins);
        if (operands.size() < 2) {
            throw new Failure(ins + ": COPY needs a source and a destination");
        }
        List<String> sources = operands.subList(0, operands.size() - 1);
        String destText = operands.get(operands.size() - 1);
        Path dest = inImage(workdir, destText);
        boolean intoFolder = destText.endsWith("/") || destText.equals(".") || sources.size() > 1;
        for (String source : sources) {
            if (source.contains("*") || source.contains("?") || source.contains("[")) {
                throw new Failure(ins + ": wildcards in COPY sources are not replayed");
            }
            String src = source.replaceAll("^(\\./)+", "").replaceAll("^/+", "").replaceAll("/+$", "");
            if (src.equals(".")) {
                src = "";
            }
            if (contextFiles.contains(src)) {
                Path to = intoFolder ? dest.resolve(Path.of(src).getFileName().toString()) : dest;
                copyFile(src, to);
                continue;
            }
            String prefix = src.isEmpty() ? "" : src + "/";
            List<String> under = contextFiles.subSet(prefix, prefix + Character.MAX_VALUE).stream().toList();
            if (under.isEmpty()) {
                throw new Failure(ins + ": " + source + " is not in the build context"
                        + (Files.exists(context.resolve(src)) ? " (.dockerignore leaves it out)" : " (no such file)"));
            }
            for (String file : under) {
                copyFile(file, dest.resolve(file.substring(prefix.length())));
            }
        }
    }

    private void copyFile(String contextPath, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(context.resolve(contextPath), to, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
    }

    private void run(Dockerfile.Instruction ins, Path workdir, Map<String, String> env)
            throws IOException, InterruptedException, Failure {
        List<String> command = ins.execForm().orElseGet(() -> List.of("/bin/sh", "-c", ins.args().strip()));
        Path log = logs.resolve("run-" + ins.line() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        pb.environment().put("MAVEN_ARGS", "-o -Dmaven.repo.local=" + repo);
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new Failure(ins + ": still running after 15 minutes (output: " + log + ")");
        }
        if (p.exitValue() != 0) {
            throw new Failure(ins + " failed with exit status " + p.exitValue() + " (output: " + log + "):\n"
                    + why(Files.readAllLines(log)));
        }
    }

    /** Maven's ERROR lines (the first few), else the output's last lines. */
    private static String why(List<String> lines) {
        List<String> errors = lines.stream().filter(l -> l.startsWith("[ERROR]"))
                .filter(l -> !l.matches("\\[ERROR\\]\\s*(->.*|Re-run.*|To see.*|For more.*|\\[Help.*)?")).toList();
        List<String> shown = new ArrayList<>(errors.isEmpty() ? lines : errors);
        int from = errors.isEmpty() ? Math.max(0, shown.size() - 20) : 0;
        return shown.subList(from, Math.min(shown.size(), from + 8)).stream().collect(Collectors.joining("\n"));
    }
}
