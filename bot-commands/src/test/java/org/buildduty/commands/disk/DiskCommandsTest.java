package org.buildduty.commands.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.TestBot;
import org.buildduty.exec.ssh.SshExecutor;
import org.buildduty.exec.testing.ServerFixture;
import org.buildduty.exec.testing.Sshd;

/** {@code !disk} and {@code !disk clean} through the engine, on a real sshd over a prepared directory tree. */
class DiskCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long MIB = 1024 * 1024;

    @RegisterExtension
    static final ServerFixture<Sshd> SSHD = ServerFixture.perClass(Sshd::start);

    @TempDir
    Path work;
    Path srv;
    Path outside;
    SshExecutor ssh;
    TestBot bot;

    @BeforeEach
    void prepare() throws IOException {
        srv = Files.createDirectories(work.resolve("srv"));
        outside = Files.createDirectories(work.resolve("etc"));
        file(srv.resolve("big/a.log"), 3 * MIB, 30);
        file(srv.resolve("big/b.log"), 2 * MIB, 10);
        file(srv.resolve("big/new.log"), MIB, 0);
        file(srv.resolve("mid/c.tar"), MIB + MIB / 2, 9);
        file(srv.resolve("small.txt"), 2048, 20);
        file(outside.resolve("secret"), MIB, 30);
        Files.createSymbolicLink(srv.resolve("escape"), outside);
        Files.createSymbolicLink(srv.resolve("mid/loop"), outside.resolve("secret"));
        ssh = SSHD.get().executor(work, "bm01");
        String root = srv.toString();
        Inventory inv = new Inventory() {
            @Override
            public Set<String> hosts() {
                return Set.of("bm01", "bm02");
            }

            @Override
            public Map<String, List<String>> groups() {
                return Map.of();
            }

            @Override
            public List<String> diskRoots(String host) {
                return host.equals("bm01") ? List.of(root) : List.of();
            }
        };
        bot = TestBot.builder().ticker(new FakeTicker(Instant.parse("2026-11-21T10:00:00Z")))
                .commands(BuiltinCommands::commands).commands(DiskCommands::register).inventory(inv)
                .executor(new DiskExecutor(ssh)).role("releng", "alice", "bob").build();
    }

    @AfterEach
    void close() {
        if (bot != null) {
            bot.close();
        }
        if (ssh != null) {
            ssh.close();
        }
    }

    private static void file(Path p, long size, int daysOld) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[(int) size]);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(daysOld)).minusSeconds(600)));
    }

    private List<String> sendUntil(String principal, String text, String until) {
        List<String> lines = new ArrayList<>(bot.send(principal, text));
        if (lines.stream().noneMatch(l -> l.contains(until))) {
            lines.addAll(bot.awaitLine(until, WAIT));
        }
        return lines;
    }

    private static List<String> containing(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    @Test
    void reportShowsFilesystemUseThenTheLargestEntriesSortedWithHumanSizes() {
        List<String> lines = sendUntil("alice", "!disk bm01 " + srv, "succeeded");

        String where = "bm01:" + srv + ": ";
        assertThat(containing(lines, where)).first().asString().matches(".*" + where + "\\d+% used, .* free of .* on "
                + ".* \\(mounted on .*\\)");
        List<String> entries = containing(lines, where).stream().skip(1).map(l -> l.substring(l.indexOf(where)
                + where.length()).strip()).toList();
        assertThat(entries).hasSize(4);
        assertThat(entries.get(0)).matches("6\\.0 MiB +" + srv + "/big");
        assertThat(entries.get(1)).matches("1\\.5 MiB +" + srv + "/mid");
        assertThat(entries.get(2)).matches("[48]\\.0 KiB +" + srv + "/small\\.txt");
        assertThat(entries.get(3)).matches("0 B +" + srv + "/escape");
    }

    @Test
    void reportWithoutAPathCoversEveryRootOfTheHost() {
        List<String> lines = sendUntil("alice", "!disk bm01", "succeeded");

        assertThat(lines.get(0)).contains("path=" + srv);
        assertThat(containing(lines, "6.0 MiB")).hasSize(1);
    }

    @Test
    void cleanCountsFirstThenDeletesAfterAnotherReleasersApprovalAndSaysWhatWasFreed() throws IOException {
        String clean = "!disk clean bm01 " + srv + " --older-than 7d";
        List<String> dry = sendUntil("alice", clean, "succeeded");
        assertThat(String.join("\n", dry)).contains("bm01:" + srv + ": 4 files older than 7d, 6.5 MiB");
        assertThat(Files.exists(srv.resolve("big/a.log"))).isTrue();

        List<String> asked = bot.send("alice", clean + " --delete");
        assertThat(asked.get(0)).contains("dry-run='4 files older than 7d, 6.5 MiB (#1)'").contains("approve with");
        assertThat(org.buildduty.core.operation.Exclusion.keys(bot.journal().operation(
                new org.buildduty.core.operation.OperationId(2)).orElseThrow().plan()))
                .as("a deletion holds its host as an exclusive: hosts runbook does").containsExactly("host:bm01");
        assertThat(org.buildduty.core.operation.Exclusion.keys(bot.journal().operation(
                new org.buildduty.core.operation.OperationId(1)).orElseThrow().plan())).as("a dry run holds nothing")
                .isEmpty();
        assertThat(bot.send("alice", "!approve 2").get(0)).doesNotContain("running");
        assertThat(Files.exists(srv.resolve("big/a.log"))).isTrue();

        List<String> done = sendUntil("bob", "!approve 2", "succeeded");
        assertThat(String.join("\n", done)).contains("bm01:" + srv + ": freed 6.5 MiB (4 files older than 7d)");
        try (Stream<Path> left = Files.walk(srv)) {
            assertThat(left.map(p -> srv.relativize(p).toString()).sorted().toList())
                    .containsExactly("", "big", "big/new.log", "escape", "mid", "mid/loop");
        }
        assertThat(Files.exists(outside.resolve("secret"))).as("nothing followed through a link").isTrue();
    }

    @Test
    void deletionNeedsARecentDryRun() {
        String clean = "!disk clean bm01 " + srv + " --older-than 7d";
        assertThat(bot.send("alice", clean + " --delete").get(0)).contains("no dry run of this clean-up");

        sendUntil("alice", clean, "succeeded");
        assertThat(bot.send("alice", "!disk clean bm01 " + srv + " --older-than 8d --delete").get(0))
                .contains("no dry run");
        bot.ticker().advance(Duration.ofHours(2));
        assertThat(bot.send("alice", clean + " --delete").get(0)).contains("no dry run");
    }

    @Test
    void pathsOutsideTheRootsDotDotAndMetacharactersAreRefusedBeforeAnythingRuns() {
        assertThat(bot.send("alice", "!disk bm01 /etc").get(0)).contains("is not under an allowlisted root");
        assertThat(bot.send("alice", "!disk bm01 " + srv + "/../etc").get(0)).contains("must not contain . or ..");
        assertThat(bot.send("alice", "!disk bm01 " + srv + "/$(id)").get(0)).contains("only letters, digits");
        assertThat(bot.send("alice", "!disk bm01 '" + srv + "/x;id'").get(0)).contains("only letters, digits");
        assertThat(bot.send("alice", "!disk bm02").get(0)).contains("no disk roots are allowlisted for bm02");
        assertThat(bot.send("alice", "!disk clean bm01 " + srv + " --older-than 2h").get(0))
                .contains("whole days");
        assertThat(bot.journal().recent(10, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void echoedValuesShowLineSeparatorsBidiOverridesAndLoneSurrogatesAsQuestionMarks() {
        assertThat(bot.send("alice", "!disk 'a\u2028b\u202ec\ud800d\u2029e'"))
                .containsExactly("unknown host \"a?b?c?d?e\"");
        assertThat(bot.send("alice", "!disk " + "\ud83d\udca5".repeat(70)).get(0))
                .isEqualTo("unknown host \"" + "\ud83d\udca5".repeat(59) + "…\"");
    }

    @Test
    void aSymlinkLeadingOutsideTheRootIsRefusedOnTheHost() {
        List<String> lines = sendUntil("alice", "!disk clean bm01 " + srv + "/escape --older-than 7d", "failed");

        assertThat(String.join("\n", lines)).contains("refused: " + srv + "/escape resolves to")
                .contains(", outside " + srv);
        assertThat(containing(lines, "files older than 7d,")).isEmpty();
        assertThat(Files.exists(outside.resolve("secret"))).isTrue();
    }

    @Test
    void aPathWhoseMiddleComponentIsALinkOutsideTheRootIsRefusedOnTheHost() throws IOException {
        file(outside.resolve("deep/old.log"), MIB, 30);

        List<String> lines = sendUntil("alice", "!disk clean bm01 " + srv + "/escape/deep --older-than 7d", "failed");

        assertThat(String.join("\n", lines)).contains("refused: " + srv + "/escape/deep resolves to "
                + outside.toRealPath().resolve("deep") + ", outside " + srv);
        assertThat(containing(lines, "files older than 7d,")).isEmpty();
        assertThat(Files.exists(outside.resolve("deep/old.log"))).isTrue();
    }
}
