package org.buildduty.commands.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A local stand-in for a code forge: a bare git repository ({@link #url()}, usable by {@code git ls-remote} and
 * {@code git fetch}) and a working clone that commits and pushes to a branch or to a pull request's
 * {@code refs/pull/N/head}, returning the new commit's SHA. Git runs with a clean environment (no user or system
 * configuration).
 *
 * <pre>{@code
 * GitForge forge = GitForge.create(tempDir);
 * String sha = forge.commitToPull(12, "README", "hello");   // refs/pull/12/head
 * }</pre>
 */
public final class GitForge {
    private final Path bare;
    private final Path work;
    private final Path home;
    private int commits;

    private GitForge(Path bare, Path work, Path home) {
        this.bare = bare;
        this.work = work;
        this.home = home;
    }

    /** Creates {@code dir/forge.git} (bare) and its clone {@code dir/work}; {@code dir} is created if missing. */
    public static GitForge create(Path dir) throws IOException {
        Path root = dir.toAbsolutePath();
        Files.createDirectories(root);
        GitForge f = new GitForge(root.resolve("forge.git"), root.resolve("work"), root);
        f.git(root, "init", "-q", "--bare", "--initial-branch=main", f.bare.toString());
        f.git(root, "init", "-q", "--initial-branch=main", f.work.toString());
        f.git(f.work, "remote", "add", "origin", f.bare.toString());
        return f;
    }

    /** The bare repository's path, as a git URL. */
    public String url() {
        return bare.toString();
    }

    /** Commits {@code content} to {@code file} on top of the last commit and pushes it to {@code branch}. */
    public String commitToBranch(String branch, String file, String content) throws IOException {
        return commit("refs/heads/" + branch, file, content);
    }

    /** Commits {@code content} to {@code file} on top of the last commit and pushes it to {@code refs/pull/N/head}. */
    public String commitToPull(int number, String file, String content) throws IOException {
        return commit("refs/pull/" + number + "/head", file, content);
    }

    /** Commits {@code content} to {@code file} on top of the last commit and force-pushes it to {@code ref}. */
    public synchronized String commit(String ref, String file, String content) throws IOException {
        Path target = work.resolve(file);
        Files.createDirectories(target.getParent());
        Files.writeString(target, content);
        git(work, "add", "--", file);
        commits++;
        git(work, "commit", "-q", "--allow-empty", "-m", "commit " + commits + " for " + ref);
        String sha = git(work, "rev-parse", "HEAD").strip();
        git(work, "push", "-q", "--force", "origin", "HEAD:" + ref);
        return sha;
    }

    /** What {@code git ls-remote} of {@link #url()} shows: one {@code <sha>\t<ref>} line per ref. */
    public List<String> lsRemote() throws IOException {
        return List.of(git(work, "ls-remote", url()).strip().split("\n"));
    }

    private String git(Path cwd, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_AUTHOR_NAME", "Forge Tester");
        env.put("GIT_AUTHOR_EMAIL", "tester@forge.test");
        env.put("GIT_COMMITTER_NAME", "Forge Tester");
        env.put("GIT_COMMITTER_EMAIL", "tester@forge.test");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git " + String.join(" ", args) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }
}
