package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.journal.PlanCodec;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.ShellQuote;

class RunbookPlanTest {
    static final FakeInventory INV = new FakeInventory().group("masters", "bm01", "bm02", "bm03")
            .group("local", "local1", "local2");

    @TempDir
    Path dir;

    Runbook load(String yaml) throws IOException {
        Path rb = dir.resolve("runbooks");
        Files.createDirectories(rb);
        Files.writeString(rb.resolve("r.yml"), yaml);
        return RunbookLoader.loadAll(rb, RunbookLoader.STANDARD_KINDS, INV).get(0);
    }

    @Test
    void plansTheSpecExampleWithDefaults() throws IOException {
        OperationPlan plan = load(RunbookLoaderTest.SPEC_EXAMPLE).plan(Map.of(), INV);
        assertThat(plan.kind()).isEqualTo("reconfig");
        assertThat(plan.paramSummary()).isEqualTo("masters='masters (3)' revision=tip parallel=10");
        assertThat(plan.unit()).isEqualTo("hosts");
        assertThat(plan.approval().role()).isEqualTo("releng");
        StepSpec update = plan.steps().get(0);
        assertThat(update.arg("command")).isEqualTo("cd /builds/buildbot && hg pull -u -r 'tip'");
        assertThat(update.hosts()).containsExactly("bm01", "bm02", "bm03");
        assertThat(update.parallel()).isEqualTo(10);
        assertThat(update.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(update.stuckAfter()).isEqualTo(Duration.ofMinutes(3));
        assertThat(update.args()).containsOnlyKeys("command");
        assertThat(PlanCodec.decode(PlanCodec.encode(plan))).isEqualTo(plan);
    }

    @Test
    void plansGivenValues() throws IOException {
        OperationPlan plan = load(RunbookLoaderTest.SPEC_EXAMPLE)
                .plan(Map.of("masters", "bm03,bm01", "revision", "4f2a9c1", "parallel", "2"), INV);
        assertThat(plan.params()).containsExactly(Map.entry("masters", "bm03,bm01 (2)"),
                Map.entry("revision", "4f2a9c1"), Map.entry("parallel", "2"));
        assertThat(plan.steps().get(1).hosts()).containsExactly("bm03", "bm01");
        assertThat(plan.steps().get(1).parallel()).isEqualTo(2);
        assertThat(plan.steps().get(0).arg("command")).endsWith("-r '4f2a9c1'");
    }

    @Test
    void rejectsUnknownMissingAndBadParameters() throws IOException {
        Runbook rb = load(RunbookLoaderTest.SPEC_EXAMPLE);
        assertThatThrownBy(() -> rb.plan(Map.of("foo", "1"), INV)).isInstanceOf(InvalidValueException.class)
                .hasMessage("unknown parameter --foo for run reconfig; parameters: --masters, --revision, --parallel");
        assertThatThrownBy(() -> rb.plan(Map.of("revision", "-oProxyCommand=touch /tmp/x"), INV))
                .hasMessageStartingWith("bad value for --revision: must not start with -");
        assertThatThrownBy(() -> rb.plan(Map.of("revision", "$(touch /tmp/x)"), INV))
                .hasMessageStartingWith("bad value for --revision: must be a hex commit");
        assertThatThrownBy(() -> rb.plan(Map.of("masters", "-oProxyCommand=x"), INV))
                .hasMessageStartingWith("bad value for --masters: must not start with -");
        assertThatThrownBy(() -> rb.plan(Map.of("masters", "bm01,nosuch"), INV))
                .hasMessageStartingWith("bad value for --masters: unknown group or host");
        assertThatThrownBy(() -> rb.plan(Map.of("parallel", "0"), INV))
                .hasMessage("bad value for --parallel: parallel must be at least 1");
        Runbook needs = load("name: m\nrole: anyone\nparams:\n  message: { type: string }\nsteps:\n"
                + "  - name: s\n    local: { command: \"printf %s {{message}}\" }\n");
        assertThatThrownBy(() -> needs.plan(Map.of(), INV)).isInstanceOf(InvalidValueException.class)
                .hasMessage("missing --message for run m (usage: run m --message STRING)");
        assertThatThrownBy(() -> needs.plan(Map.of("bad\nname", "x"), INV))
                .hasMessage("unknown parameter --bad?name for run m; parameters: --message");
    }

    @Test
    void aHostileMessageIsSingleQuotedAndPrintsExactly() throws Exception {
        Path canary = dir.resolve("canary");
        Runbook rb = load("name: m\nrole: anyone\nparams:\n  message: { type: string, allow_dash: true }\nsteps:\n"
                + "  - name: s\n    local: { command: \"printf %s {{message}}\" }\n");
        String[] hostile = {"$(touch " + canary + ")", "`touch " + canary + "`", "x'; touch " + canary + "; echo '",
            "a\" && touch " + canary + " && \"", "; touch " + canary, "| touch " + canary, "$HOME ${IFS} * ~ \\ !",
            "'\\''", "-n", "--", "ünï ☃ 🚀"};
        for (String value : hostile) {
            String command = rb.plan(Map.of("message", value), INV).steps().get(0).arg("command");
            assertThat(command).isEqualTo("printf %s " + ShellQuote.quote(value));
            assertThat(command).startsWith("printf %s '").endsWith("'");
            ShellRun run = ShellRun.of(command, dir);
            assertThat(run.stdout()).isEqualTo(value);
            assertThat(run.exit()).isZero();
        }
        assertThat(Files.exists(canary)).isFalse();
        for (String rejected : new String[] {"a\nb", "a\0b", "a\rb", "{{host}}"}) {
            assertThatThrownBy(() -> rb.plan(Map.of("message", rejected), INV))
                    .isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void aValueFromChatStartingWithADashIsRefusedUnlessTheParameterAllowsIt() throws Exception {
        Runbook rb = load("""
                name: dash
                role: anyone
                params:
                  msg: { type: string }
                  count: { type: int, default: 1 }
                  from: { type: revision, default: tip }
                  pattern: { type: string, allow_dash: true, default: "-v" }
                  flags: { type: string, default: "-l" }
                steps:
                  - name: grep
                    local: { command: "grep {{flags}} -c {{count}} -e {{pattern}} {{msg}} {{from}}" }
                """);
        for (String value : new String[] {"-oProxyCommand=touch x", "-n", "--", "-", "--help"}) {
            assertThatThrownBy(() -> rb.plan(Map.of("msg", value), INV)).isInstanceOf(InvalidValueException.class)
                    .hasMessage("bad value for --msg: must not start with - (a command could read it as an option)");
        }
        assertThatThrownBy(() -> rb.plan(Map.of("msg", "x", "count", "-1"), INV))
                .hasMessage("bad value for --count: must not start with - (a command could read it as an option)");
        assertThatThrownBy(() -> rb.plan(Map.of("msg", "x", "flags", "-rf"), INV))
                .hasMessage("bad value for --flags: must not start with - (a command could read it as an option)");
        String command = rb.plan(Map.of("msg", "a -b", "pattern", "-oProxyCommand=x"), INV).steps().get(0)
                .arg("command");
        assertThat(command).isEqualTo("grep '-l' -c '1' -e '-oProxyCommand=x' 'a -b' 'tip'");
        assertThat(rb.plan(Map.of("msg", "x"), INV).steps().get(0).arg("command"))
                .isEqualTo("grep '-l' -c '1' -e '-v' 'x' 'tip'");
    }

    @Test
    void aDotSegmentIsRefusedInAUrlButNotElsewhere() throws Exception {
        Runbook rb = load("""
                name: dots
                role: anyone
                params:
                  id: { type: string }
                  rev: { type: revision, default: tip }
                steps:
                  - name: cancel
                    http: { method: POST, url: "http://bb/api/v2/builds/{{id}}/cancel?rev={{rev}}" }
                  - name: say
                    local: { command: "echo {{id}} {{rev}}" }
                """);
        for (String dots : new String[] {".", "..", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252E",
            "%252e."}) {
            assertThatThrownBy(() -> rb.plan(Map.of("id", dots), INV)).isInstanceOf(InvalidValueException.class)
                    .hasMessage("bad value for --id: must not be . or .. (or a %2e form of them): in a URL it would"
                            + " walk up the path");
        }
        assertThatThrownBy(() -> rb.plan(Map.of("id", "7", "rev", "."), INV))
                .hasMessageStartingWith("bad value for --rev: must not be . or ..");
        for (String fine : new String[] {"...", "a..", "..b", ".hidden", "%2e%2e%2e", "%2f.."}) {
            StepSpec cancel = rb.plan(Map.of("id", fine), INV).steps().get(0);
            assertThat(okhttp3.HttpUrl.parse(cancel.arg("url")).pathSegments())
                    .containsExactly("api", "v2", "builds", fine, "cancel");
        }
    }

    @Test
    void escapesPerContextAndKeepsRuntimeMarkers() throws Exception {
        Runbook rb = load(String.join("\n",
                "name: ctx",
                "role: anyone",
                "params:",
                "  msg: { type: string }",
                "  hosts: { type: group, default: local }",
                "steps:",
                "  - name: fan",
                "    local:",
                "      hosts: \"{{hosts}}\"",
                "      command: \"printf '%s|' {{host}} {{msg}} {{operation}}\"",
                "    rollback:",
                "      local: { command: \"echo undo {{host}}\" }",
                "  - name: post",
                "    http:",
                "      url: \"http://h/api/{{msg}}?q={{msg}}\"",
                "      body: \"{\\\"m\\\": \\\"{{msg}}\\\"}\"",
                "      headers: { X-Msg: \"{{msg}}\" }",
                "  - name: tell",
                "    announce: { text: \"op #{{operation}}: {{msg}}\" }",
                ""));
        String msg = "a \"b\" \\c/d?e&f'g";
        OperationPlan plan = rb.plan(Map.of("msg", msg), INV);
        StepSpec fan = plan.steps().get(0);
        assertThat(fan.hosts()).containsExactly("local1", "local2");
        assertThat(fan.rollback().hosts()).containsExactly("local1", "local2");
        assertThat(fan.rollback().arg("command")).isEqualTo("echo undo {{host}}");
        String command = fan.arg("command");
        assertThat(command).isEqualTo("printf '%s|' {{host}} " + ShellQuote.quote(msg) + " {{operation}}");
        String bound = new ExecRequest(new OperationId(17), fan, "local1", Duration.ofMinutes(1))
                .bind(command, ShellQuote::quote);
        assertThat(ShellRun.of(bound, dir).stdout()).isEqualTo("local1|" + msg + "|17|");

        StepSpec post = plan.steps().get(1);
        assertThat(post.arg("url")).isEqualTo("http://h/api/a%20%22b%22%20%5Cc%2Fd%3Fe%26f%27g"
                + "?q=a%20%22b%22%20%5Cc%2Fd%3Fe%26f%27g");
        Map<?, ?> body = new ObjectMapper().readValue(post.arg("body"), Map.class);
        assertThat(body.get("m")).isEqualTo(msg);
        assertThat(post.args().get("headers")).isEqualTo(Map.of("X-Msg", msg));
        assertThat(post.hosts()).isEmpty();
        assertThat(plan.steps().get(2).arg("text")).isEqualTo("op #{{operation}}: " + msg);
        assertThat(plan.unit()).isEqualTo("hosts");
        assertThat(plan.params()).containsExactly(Map.entry("msg", msg), Map.entry("hosts", "local (2)"));
    }

    @Test
    void literalHostsAndStepsUnit() throws IOException {
        Runbook rb = load("name: lit\nrole: anyone\nunit: masters\nsteps:\n"
                + "  - name: s\n    ssh: { hosts: [bm02, bm01], parallel: 3, command: uptime }\n");
        OperationPlan plan = rb.plan(Map.of(), INV);
        assertThat(plan.steps().get(0).hosts()).containsExactly("bm02", "bm01");
        assertThat(plan.steps().get(0).parallel()).isEqualTo(3);
        assertThat(plan.unit()).isEqualTo("masters");
        Runbook single = load("name: one\nrole: anyone\nsteps:\n  - name: s\n    local: { command: \"true\" }\n");
        assertThat(single.plan(Map.of(), INV).unit()).isEqualTo("steps");
        assertThat(single.plan(Map.of(), INV).steps()).extracting(StepSpec::width).isEqualTo(List.of(1));
    }

    @Test
    void aStructuredBodyKeepsYamlTypesAndKeptValuesStayForTheRun() throws IOException {
        Runbook rb = RunbookLoader.loadAll(writeRunbook("""
                name: force
                role: anyone
                params:
                  n: { type: int, default: 3 }
                  why: { type: string, default: "it's \\"urgent\\"" }
                steps:
                  - name: force
                    http:
                      method: POST
                      url: "http://bb:8010/api/v2/forceschedulers/f?x={{why}}"
                      body: { id: 1, scratch: true, ratio: 0.5, quoted: "1", count: "{{n}}", reason: "{{why}}" }
                      keep: { brid: "$.result[1]" }
                  - name: follow
                    local: { command: "echo {{brid}} {{why}}" }
                """), RunbookLoader.STANDARD_KINDS, List.of(new org.buildduty.exec.http.HttpExecutor(
                        org.buildduty.exec.http.HttpCredentials.none())), INV).get(0);
        OperationPlan plan = rb.plan(Map.of(), INV);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) plan.steps().get(0).args().get("body");
        assertThat(body).containsExactly(Map.entry("id", 1L), Map.entry("scratch", true), Map.entry("ratio", 0.5),
                Map.entry("quoted", "1"), Map.entry("count", 3L), Map.entry("reason", "it's \"urgent\""));
        assertThat(plan.steps().get(0).arg("url")).endsWith("?x=it%27s%20%22urgent%22");
        assertThat(plan.steps().get(1).arg("command")).isEqualTo("echo {{brid}} 'it'\\''s \"urgent\"'");
        assertThat(PlanCodec.decode(PlanCodec.encode(plan))).isEqualTo(plan);
    }

    @Test
    void aValueHoldingARuntimePlaceholderIsRefused() throws IOException {
        Runbook rb = load("""
                name: echo
                role: anyone
                params:
                  msg: { type: string }
                steps:
                  - name: say
                    local: { command: "echo {{msg}}" }
                """);
        assertThatThrownBy(() -> rb.plan(Map.of("msg", "{{host}}"), INV)).isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("bad value for --msg: must not contain {{");
    }

    @Test
    void aPlaceholderNeitherDeclaredNorKeptEarlierIsRefusedAtLoad() throws IOException {
        assertThatThrownBy(() -> RunbookLoader.loadAll(writeRunbook("""
                name: early
                role: anyone
                steps:
                  - name: use
                    local: { command: "echo {{brid}}" }
                  - name: keep
                    http: { url: "http://bb/x", keep: { brid: "$.id" } }
                """), RunbookLoader.STANDARD_KINDS, List.of(new org.buildduty.exec.http.HttpExecutor(
                        org.buildduty.exec.http.HttpCredentials.none())), INV))
                .hasMessageContaining("unknown parameter {{brid}}");
    }

    @Test
    void aWaitUntilCommandHostMustBeInTheInventory() throws IOException {
        assertThatThrownBy(() -> RunbookLoader.loadAll(writeRunbook("""
                name: waits
                role: anyone
                steps:
                  - name: wait
                    wait_until: { host: nosuch, command: "cat x", until: { path: "$", equals: 1 } }
                """), RunbookLoader.STANDARD_KINDS, List.of(), INV))
                .hasMessageContaining("r.yml:5: steps[0].wait_until.host: no host \"nosuch\" in the inventory");
    }

    private Path writeRunbook(String yaml) throws IOException {
        Path rb = dir.resolve("runbooks");
        Files.createDirectories(rb);
        Files.writeString(rb.resolve("r.yml"), yaml);
        return rb;
    }
}
