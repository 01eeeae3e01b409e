package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.jenkins.JenkinsExecutor;
import org.buildduty.core.config.ConfigException;

/** A runbook's jenkins steps are checked when it loads, with file, line and field, as the bot and --check do. */
class JenkinsStepLoadTest {
    @TempDir
    Path dir;

    private List<Runbook> load(String steps) throws Exception {
        Files.writeString(dir.resolve("j.yml"), "name: j\nrole: anyone\nparams:\n  tree: { type: string, default: "
                + "mainline }\nsteps:\n" + steps);
        Set<String> kinds = new HashSet<>(RunbookLoader.STANDARD_KINDS);
        kinds.add(JenkinsExecutor.KIND);
        return RunbookLoader.loadAll(dir, kinds, List.of(JenkinsExecutor.unconfigured()), FakeInventory.local());
    }

    @Test
    void badArgumentsAreLoadErrorsNamingTheField() {
        assertThatThrownBy(() -> load("""
                  - name: a
                    jenkins: { action: bild, job: x }
                  - name: b
                    jenkins: { job: x, params: [A] }
                  - name: c
                    jenkins: { action: idle, job: x }
                  - name: d
                    jenkins: { action: enable }
                """)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        dir.resolve("j.yml") + ":7: steps[0].jenkins.action: unknown action \"bild\" - did you mean "
                                + "\"build\"? (known: build, disable, enable, idle)",
                        dir.resolve("j.yml") + ":9: steps[1].jenkins.params: must be a map of strings (NAME: value)",
                        dir.resolve("j.yml") + ":11: steps[2].jenkins.job: not for idle (use jobs: [a, b])",
                        dir.resolve("j.yml") + ":13: steps[3].jenkins.job: a job name is required (folder/name for a "
                                + "job in a folder)"));
    }

    @Test
    void aBuildStepKeepsItsBuildForLaterSteps() throws Exception {
        List<Runbook> runbooks = load("""
                  - name: build
                    jenkins: { job: kernelci/kernel-build-trigger, params: { BUILD_CONFIG: "{{tree}}" } }
                  - name: show
                    local: { command: "echo {{build_url}} {{result}} {{build_number}}" }
                """);

        assertThat(runbooks).hasSize(1);
    }
}
