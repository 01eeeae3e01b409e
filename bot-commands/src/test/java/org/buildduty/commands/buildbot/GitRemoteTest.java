package org.buildduty.commands.buildbot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.ServiceException;

class GitRemoteTest {
    @TempDir
    Path dir;

    private Path bare;
    private Path work;
    private GitRemote git;

    @BeforeEach
    void repository() throws Exception {
        bare = dir.resolve("forge.git");
        work = dir.resolve("work");
        run(dir, "git", "init", "--bare", "--quiet", bare.toString());
        run(dir, "git", "init", "--quiet", "-b", "main", work.toString());
        git = new GitRemote(dir.resolve("cache"), Duration.ofSeconds(20));
    }

    @Test
    void resolvesBranchesAndPullRequestRefsToTheirCommitWithItsSubject() throws Exception {
        String main = commit("Release 1.2.3", "refs/heads/main");
        String pr = commit("Fix the frobnicator\n\nlong body", "refs/pull/12/head");
        assertThat(git.resolve(bare.toString(), "main")).isEqualTo(main);
        assertThat(git.resolve(bare.toString(), "refs/heads/main")).isEqualTo(main);
        GitRemote.Commit c = git.describe(bare.toString(), "refs/pull/12/head");
        assertThat(c.sha()).isEqualTo(pr);
        assertThat(c.shortSha()).isEqualTo(pr.substring(0, 7));
        assertThat(c.subject()).isEqualTo("Fix the frobnicator");

        String moved = commit("Sneaky follow-up", "refs/pull/12/head");
        assertThat(git.resolve(bare.toString(), "refs/pull/12/head")).isEqualTo(moved).isNotEqualTo(pr);
        assertThat(git.describe(bare.toString(), "refs/pull/12/head").subject()).isEqualTo("Sneaky follow-up");
    }

    @Test
    void aMissingRefOrRepositoryIsOneLine() throws Exception {
        commit("first", "refs/heads/main");
        assertThatThrownBy(() -> git.resolve(bare.toString(), "nope")).isInstanceOf(ServiceException.class)
                .hasMessage("no refs/heads/nope in " + bare);
        assertThatThrownBy(() -> git.resolve(dir.resolve("missing.git").toString(), "main"))
                .isInstanceOf(ServiceException.class).hasMessageStartingWith("git ls-remote " + dir.resolve(
                        "missing.git") + " failed (exit 128): ").hasMessageNotContaining("\n");
    }

    @Test
    void hostileRefsAreRefusedBeforeGitRuns() {
        for (String bad : List.of("$(id)", "-oProxyCommand=touch x", "a..b", "main\nQUIT", "x y", "/etc/passwd/",
                "refs//heads", "main.lock", "")) {
            assertThat(GitRemote.validRef(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> git.resolve(bare.toString(), bad)).isInstanceOf(ServiceException.class)
                    .hasMessageContaining("is not a git ref name");
        }
        assertThat(GitRemote.validRef("release/1.2")).isTrue();
        assertThat(GitRemote.validRef("refs/pull/12/head")).isTrue();
    }

    @Test
    void repositoryCredentialsNeverShow() {
        assertThat(GitRemote.display("https://bot:s3cr3t@git.example.org/releng/configs.git"))
                .isEqualTo("https://git.example.org/releng/configs.git");
        assertThat(GitRemote.display("git@github.com:ClusterHQ/flocker.git"))
                .isEqualTo("github.com:ClusterHQ/flocker.git");
        assertThat(GitRemote.display("/srv/git/flocker.git")).isEqualTo("/srv/git/flocker.git");
    }

    private String commit(String message, String ref) throws Exception {
        Files.writeString(work.resolve("file.txt"), message + System.nanoTime(), StandardCharsets.UTF_8);
        run(work, "git", "add", "file.txt");
        run(work, "git", "-c", "user.name=Test", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", message);
        run(work, "git", "push", "--quiet", "--force", bare.toString(), "HEAD:" + ref);
        return run(work, "git", "rev-parse", "HEAD").strip();
    }

    private static String run(Path cwd, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(cwd.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
