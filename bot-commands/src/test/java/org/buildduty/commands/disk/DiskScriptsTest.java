package org.buildduty.commands.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk scripts run by a local POSIX {@code sh}: the directory checked against the root is the one {@code find}
 * walks, even when a component of the path is swapped for a symbolic link between the check and the walk.
 */
class DiskScriptsTest {
    @TempDir
    Path work;
    Path srv;
    Path outside;

    @BeforeEach
    void tree() throws IOException {
        srv = Files.createDirectories(work.resolve("srv"));
        outside = Files.createDirectories(work.resolve("outside"));
        old(srv.resolve("a/b/inside.log"));
        old(outside.resolve("b/secret.log"));
    }

    private static void old(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[100]);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(30))));
    }

    /** Runs {@code script} under {@code sh -c} with {@code bin} first on the PATH; returns stdout and stderr. */
    private static String sh(String script, Path bin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
        if (bin != null) {
            pb.environment().put("PATH", bin + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** A {@code find} on the PATH that first swaps {@code srv/a} for a link to {@code outside}, then runs find. */
    private Path swappingFind() throws IOException {
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path find = bin.resolve("find");
        Files.writeString(find, "#!/bin/sh\nmv '" + srv.resolve("a") + "' '" + srv.resolve("a.moved") + "'\n"
                + "ln -s '" + outside + "' '" + srv.resolve("a") + "'\n"
                + "PATH=/usr/bin:/bin exec find \"$@\"\n");
        Files.setPosixFilePermissions(find, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    @Test
    void cleanDeletesInTheCheckedDirectoryWhenAMiddleComponentIsSwappedForALinkAfterTheCheck() throws Exception {
        String out = sh(DiskScripts.clean(srv.resolve("a/b").toString(), srv.toString(), 7), swappingFind());

        assertThat(out).contains("FREED 1 100");
        assertThat(Files.isSymbolicLink(srv.resolve("a"))).as("the swap happened").isTrue();
        assertThat(outside.resolve("b/secret.log")).as("nothing deleted outside the root").exists();
        assertThat(srv.resolve("a.moved/b/inside.log")).doesNotExist();
    }

    @Test
    void countAndReportWalkTheCheckedDirectoryWhenAMiddleComponentIsSwappedAfterTheCheck() throws Exception {
        Path bin = swappingFind();
        String count = sh(DiskScripts.count(srv.resolve("a/b").toString(), srv.toString(), 7), bin);
        assertThat(count).contains("COUNT 1 100");

        Files.delete(srv.resolve("a"));
        Files.move(srv.resolve("a.moved"), srv.resolve("a"));
        old(srv.resolve("a/b/only-inside.log"));
        String report = sh(DiskScripts.report(srv.resolve("a/b").toString(), srv.toString()), bin);
        assertThat(report).contains("\t./only-inside.log").doesNotContain("secret");
    }

    @Test
    void aPathWhoseMiddleComponentIsALinkOutsideTheRootIsRefused() throws Exception {
        Files.createSymbolicLink(srv.resolve("via"), outside);

        String out = sh(DiskScripts.clean(srv.resolve("via/b").toString(), srv.toString(), 7), null);

        assertThat(out.strip()).isEqualTo("ERR " + srv.resolve("via/b") + " resolves to " + outside.toRealPath()
                .resolve("b") + ", outside " + srv);
        assertThat(outside.resolve("b/secret.log")).exists();
    }

    @Test
    void aMissingPathAFileAndAMissingRootAreRefused() throws Exception {
        assertThat(sh(DiskScripts.count(srv.resolve("nope").toString(), srv.toString(), 7), null).strip())
                .isEqualTo("ERR " + srv.resolve("nope") + " does not exist");
        assertThat(sh(DiskScripts.count(srv.resolve("a/b/inside.log").toString(), srv.toString(), 7), null).strip())
                .isEqualTo("ERR " + srv.resolve("a/b/inside.log") + " is not a directory");
        assertThat(sh(DiskScripts.count(srv.toString(), work.resolve("gone").toString(), 7), null).strip())
                .isEqualTo("ERR root " + work.resolve("gone") + " does not exist");
    }

    @Test
    void theScriptEntersThePathChecksWhereItIsAndWalksFromThereAndNeverByName() {
        for (String script : List.of(DiskScripts.report("/srv/x", "/srv"), DiskScripts.count("/srv/x", "/srv", 7),
                DiskScripts.clean("/srv/x", "/srv", 7))) {
            int cd = script.indexOf("cd -P -- \"$p\"");
            int pwd = script.indexOf("r=$(pwd -P)", cd);
            int check = script.indexOf("case \"$r/\" in", pwd);
            int find = script.indexOf("find -P . ", check);
            assertThat(cd).as(script).isPositive();
            assertThat(pwd).as(script).isGreaterThan(cd);
            assertThat(check).as(script).isGreaterThan(pwd);
            assertThat(find).as(script).isGreaterThan(check);
            assertThat(script).doesNotContain("realpath").doesNotContain("readlink").doesNotContain("find -P \"")
                    .doesNotContain("-- \"$r\"");
        }
        assertThat(DiskScripts.clean("/srv/x", "/srv", 7)).contains("find -P . -xdev -mindepth 1 -type f -mtime +7 "
                + "-delete");
    }
}
