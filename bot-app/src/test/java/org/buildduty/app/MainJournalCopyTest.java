package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.store.PgServer;
import org.buildduty.app.store.SqliteJournal;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.JournalContract;

/** {@code buildduty journal copy} through {@link Main#run}, in-process: its arguments, its summary, its exit status. */
class MainJournalCopyTest {
    private static final String SECRET = "s3cret-pass";

    @TempDir
    Path dir;

    /** Exit status, stdout and stderr of one run. */
    private record Run(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLineError(Run r, String message) {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly("buildduty: " + message);
    }

    @Test
    void argumentErrorsGiveOneLineAndExit2WithoutStartingTheBot() throws Exception {
        Path db = dir.resolve("buildduty.db");
        SqliteJournal.open(db).close();
        String to = "postgresql://127.0.0.1:1/bd?user=u";
        String usage = " (usage: " + JournalCommand.USAGE + ")";
        Map<String, String> env = Map.of("BD_PW", SECRET);

        assertOneLineError(run(env, "journal"), "a journal command is missing" + usage);
        assertOneLineError(run(env, "journal", "move"), "unknown journal command move" + usage);
        assertOneLineError(run(env, "journal", "copy", "--to", to), "journal copy: --from is missing" + usage);
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString()), "journal copy: --to is missing"
                + usage);
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString(), "--to", to, "extra"),
                "journal copy: unexpected argument extra" + usage);
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString(), "--to", to, "--password", SECRET),
                "journal copy: the password never goes on the command line; use --password-env VAR or "
                + "--password-file FILE");
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString(), "--to", to, "--pass", "x"),
                "journal copy: Unrecognized option: --pass");
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString(), "--to", to, "--password-env",
                "BD_PW", "--password-file", "pw"), "journal copy: give --password-env or --password-file, not both");
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString(), "--to", to, "--password-env",
                "NO_SUCH_VAR"), "journal copy: --password-env NO_SUCH_VAR: the environment variable is not set or"
                + " empty");
        Path noFile = dir.resolve("nope");
        assertThat(run(env, "journal", "copy", "--from", db.toString(), "--to", to, "--password-file",
                noFile.toString()).errLines()).singleElement().asString()
                .startsWith("buildduty: journal copy: --password-file " + noFile + ": cannot read it (");
        assertOneLineError(run(env, "journal", "copy", "--from", db.toString(), "--to",
                "postgresql://db1:5432/bd?user=u&password=" + SECRET), "--to postgresql://db1:5432/bd: a password in "
                + "the URL is refused (it shows in the process list and shell history); use --password-env VAR or "
                + "--password-file FILE");
        Path missing = dir.resolve("missing.db");
        assertOneLineError(run(env, "journal", "copy", "--from", missing.toString(), "--to", to),
                "journal " + missing + ": no such file");
        assertOneLineError(run(env, "--config", "config/buildduty.yml", "journal", "copy", "--from", db.toString(),
                "--to", to), "unexpected argument journal (journal copy comes first and takes no --config: "
                + JournalCommand.USAGE + ")");
    }

    @Test
    void theHelpOfTheMainCommandMentionsJournalCopyAndJournalCopyHasItsOwn() {
        Run main = run(Map.of(), "--help");
        assertThat(main.status()).isZero();
        assertThat(main.out()).contains("buildduty journal copy --from FILE --to ");

        Run copy = run(Map.of(), "journal", "copy", "--help");
        assertThat(copy.status()).isZero();
        assertThat(copy.out()).contains("--password-env VAR", "--password-file FILE", "empty PostgreSQL database");
    }

    @Test
    void aCopyPrintsOneSummaryLineAndNeverThePasswordOrTheUrlOptions() throws Exception {
        assumeTrue(PgServer.available(), "PostgreSQL 15 is not installed");
        Path db = dir.resolve("data/buildduty.db");
        try (SqliteJournal j = SqliteJournal.open(db)) {
            OperationId id = j.nextOperationId();
            j.operationCreated(JournalContract.op(id, OperationState.RUNNING));
            j.hostStarted(id, 0, "update config", "bm01", false, JournalContract.T0);
            j.output(id, 0, "bm01", OutputChannel.STDOUT, "one", JournalContract.T0);
            j.output(id, 0, "bm01", OutputChannel.STDOUT, "two", JournalContract.T0);
            j.putState("matrix.sync", "matrix", "s1");
        }
        Path passwordFile = dir.resolve("pg.pass");
        Files.writeString(passwordFile, SECRET + "\n");
        try (PgServer server = PgServer.start()) {
            String name = server.createDatabase();
            String url = "postgresql://127.0.0.1:" + server.port() + "/" + name;

            Run r = run(Map.of("BD_PW", SECRET), "journal", "copy", "--from", db.toString(), "--to",
                    url + "?user=postgres&ApplicationName=bd", "--password-env", "BD_PW");

            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out().lines().toList()).containsExactly("copied " + db + " to " + url + ": 1 operation, "
                    + "1 host run, 2 output lines, 0 approvals, 0 connector events, 1 state record; "
                    + "next operation id 2");

            Run again = run(Map.of(), "journal", "copy", "--from", db.toString(), "--to", "jdbc:" + url
                    + "?user=postgres", "--password-file", passwordFile.toString());
            assertOneLineError(again, "journal " + url + ": already holds 1 operation; copy into an empty database");
            for (Run each : List.of(r, again)) {
                assertThat(each.out() + each.err()).doesNotContain(SECRET).doesNotContain("user=postgres");
            }
        }
    }
}
