package org.buildduty.commands.buildbot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.buildduty.core.ServiceException;

/**
 * Resolves a ref of a remote git repository to a commit with the git command line, without a shell: every argument
 * is passed as it is, after a {@code --} where git allows one, and git never prompts for credentials.
 * {@code ls-remote} gives the commit; a shallow fetch into a local cache gives its subject for the approval message.
 *
 * <pre>{@code
 * GitRemote git = new GitRemote(Path.of("data/git-cache"), Duration.ofSeconds(30));
 * GitRemote.Commit c = git.describe("https://github.com/ClusterHQ/flocker.git", "refs/pull/12/head");
 * }</pre>
 */
public final class GitRemote {
    /** A full ref or a branch name: no leading dash, no {@code ..}, no spaces or control characters. */
    private static final Pattern REF = Pattern.compile("(?!-)(?!.*\\.\\.)(?!.*//)[A-Za-z0-9._/+-]{1,200}(?<![/.])");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final int MAX_SUBJECT = 100;

    /**
     * A commit.
     *
     * @param sha     the full SHA-1
     * @param subject the first line of its message, cleaned for chat; empty when it could not be fetched
     */
    public record Commit(String sha, String subject) {
        /** The first 7 characters. */
        public String shortSha() {
            return sha.substring(0, 7);
        }
    }

    private final Path cacheDir;
    private final Duration timeout;

    public GitRemote(Path cacheDir, Duration timeout) {
        this.cacheDir = cacheDir;
        this.timeout = timeout;
    }

    /** True when {@code ref} is acceptable as a branch or ref name (checked before anything runs). */
    public static boolean validRef(String ref) {
        return REF.matcher(ref).matches() && !ref.endsWith(".lock");
    }

    /** The full ref for a branch name ({@code main} → {@code refs/heads/main}); a {@code refs/...} name as it is. */
    public static String fullRef(String branch) {
        return branch.startsWith("refs/") ? branch : "refs/heads/" + branch;
    }

    /**
     * The commit {@code ref} points at in {@code repository} now.
     *
     * @throws ServiceException if git fails, times out, or the repository has no such ref
     */
    public String resolve(String repository, String ref) {
        if (!validRef(ref)) {
            throw new ServiceException("\"" + ref + "\" is not a git ref name");
        }
        String full = fullRef(ref);
        Result r = git(null, "ls-remote", "--", repository, full);
        if (r.exit != 0) {
            throw new ServiceException("git ls-remote " + display(repository) + " failed (exit " + r.exit + "): "
                    + lastLine(r.output));
        }
        for (String line : r.output.split("\n")) {
            String[] parts = line.split("\t", 2);
            if (parts.length == 2 && parts[1].strip().equals(full) && SHA.matcher(parts[0]).matches()) {
                return parts[0];
            }
        }
        throw new ServiceException("no " + full + " in " + display(repository));
    }

    /** The commit {@code ref} points at and its subject (best effort: empty if the fetch fails). */
    public Commit describe(String repository, String ref) {
        String sha = resolve(repository, ref);
        return new Commit(sha, subject(repository, fullRef(ref), sha));
    }

    private String subject(String repository, String fullRef, String sha) {
        try {
            Path cache = cacheDir.resolve(digest(repository) + ".git");
            if (!Files.isDirectory(cache)) {
                Files.createDirectories(cache);
                if (git(cache, "init", "--bare", "--quiet").exit != 0) {
                    return "";
                }
            }
            git(cache, "fetch", "--quiet", "--depth", "1", "--no-tags", "--", repository, fullRef);
            Result log = git(cache, "log", "-1", "--format=%s", sha, "--");
            return log.exit == 0 ? clean(log.output) : "";
        } catch (IOException | ServiceException e) {
            return "";
        }
    }

    private record Result(int exit, String output) {
    }

    private Result git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GIT_ASKPASS", "/bin/false");
        pb.environment().put("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ServiceException("cannot run git: " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // git reads nothing from stdin
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ServiceException("git " + args[0] + " " + display(args[args.length - 2])
                        + ": no answer within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ServiceException("interrupted running git " + args[0], e);
        } catch (ExecutionException | TimeoutException e) {
            return new Result(p.exitValue(), "");
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A repository as shown in chat: a URL without its user and password. */
    static String display(String repository) {
        try {
            URI u = URI.create(repository);
            if (u.getUserInfo() != null && u.getHost() != null) {
                return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
            }
        } catch (IllegalArgumentException | URISyntaxException e) {
            // not a URL: a path or scp-like address
        }
        return repository.replaceAll("^[^@/]+@(?=[^/]+:)", "");
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return clean(lines[lines.length - 1]);
    }

    private static String clean(String s) {
        String one = s.strip().replaceAll("\\p{Cntrl}", " ");
        return one.length() <= MAX_SUBJECT ? one : one.substring(0, MAX_SUBJECT - 1) + "…";
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
