package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.ShellQuote;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.exec.ssh.SshExecutor;
import org.buildduty.exec.testing.ServerFixture;
import org.buildduty.exec.testing.Sshd;

/**
 * A placeholder inside backquotes, through a real sshd (the login shell is bash): a value holding a backquote ends
 * {@code `...`} early and runs the rest, so such a template is refused at load; the same values inside
 * {@code $(...)} stay one word.
 */
class BackquotesOverSshTest {
    private static final FakeInventory INV = new FakeInventory().group("masters", "bm01");

    @RegisterExtension
    static final ServerFixture<Sshd> SSHD = ServerFixture.perClass(Sshd::start);

    @TempDir
    Path dir;
    SshExecutor ssh;

    @AfterEach
    void closeSsh() {
        if (ssh != null) {
            ssh.close();
        }
    }

    private SshExecutor ssh() throws IOException {
        ssh = SSHD.get().executor(dir, "bm01");
        return ssh;
    }

    /** Runs a frozen command on bm01 over ssh; its stdout lines. */
    private List<String> run(String command) throws IOException {
        RecordingExecContext context = new RecordingExecContext();
        StepSpec step = StepSpec.of("run", "ssh", Map.of("command", command));
        StepResult result = (ssh == null ? ssh() : ssh).execute(new ExecRequest(new OperationId(1), step, "bm01",
                Duration.ofSeconds(30)), context);
        assertThat(result.outcome()).as(result.summary()).isIn(StepOutcome.SUCCEEDED, StepOutcome.FAILED);
        return context.lines(OutputChannel.STDOUT);
    }

    private Path runbooks(String command) throws IOException {
        Path rb = dir.resolve("runbooks");
        Files.createDirectories(rb);
        Files.writeString(rb.resolve("base.yml"), String.join("\n",
                "name: base",
                "role: anyone",
                "params:",
                "  p: { type: string }",
                "steps:",
                "  - name: basename",
                "    ssh:",
                "      hosts: masters",
                "      command: " + command,
                ""));
        return rb;
    }

    /** Values that end a backquoted command substitution early and run {@code touch canary}. */
    private static String[] breakouts(Path canary) {
        return new String[] {"a`;touch " + canary + ";`", "b`;touch " + canary + ";#",
            "c\\\\`;touch " + canary + ";`", "d'`;touch " + canary + ";`'", "e\"`;touch " + canary + ";`\""};
    }

    @Test
    void aBackquotedPlaceholderIsRefusedAtLoadBecauseUnderBashAValueBreaksOut() throws IOException {
        Path rb = runbooks("\"r=`basename {{p}}`; printf '%s\\\\n' \\\"$r\\\"\"");
        assertThatThrownBy(() -> RunbookLoader.loadAll(rb, RunbookLoader.STANDARD_KINDS, INV))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        rb.resolve("base.yml") + ":9: steps[0].ssh.command: {{p}} is inside backquotes (`...`),"
                                + " where a quoted value can end the command substitution; write $(...) instead"));

        // Why: the template the loader now refuses, with the value shell-quoted as the planner would, lets each of
        // these values out under the sshd's bash.
        for (String value : breakouts(dir.resolve("canary"))) {
            Path canary = dir.resolve("canary");
            Files.deleteIfExists(canary);
            run("r=`basename " + ShellQuote.quote(value) + "`; printf '%s\\n' \"$r\"");
            assertThat(canary).as("breaks out of `...`: " + value).exists();
        }
    }

    @Test
    void inDollarParenthesesTheSameValuesStayOneWord() throws IOException {
        Runbook rb = RunbookLoader.loadAll(runbooks("\"r=$(basename {{p}}); printf '%s\\\\n' \\\"$r\\\"\""),
                RunbookLoader.STANDARD_KINDS, INV).get(0);
        Path canary = dir.resolve("canary");
        for (String value : breakouts(canary)) {
            String command = rb.plan(Map.of("p", value), INV).steps().get(0).arg("command");
            assertThat(command).isEqualTo("r=$(basename " + ShellQuote.quote(value) + "); printf '%s\\n' \"$r\"");
            assertThat(run(command)).containsExactly(value.substring(value.lastIndexOf('/') + 1));
            assertThat(canary).as("stays one word in $(...): " + value).doesNotExist();
        }
    }
}
