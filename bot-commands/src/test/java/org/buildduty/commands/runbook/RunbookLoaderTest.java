package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.ParamType;
import org.buildduty.exec.http.HttpCredentials;
import org.buildduty.exec.http.HttpExecutor;

class RunbookLoaderTest {
    static final String KINDS = "announce, confirm, http, local, ssh, wait_until";
    static final FakeInventory INV = new FakeInventory().group("masters", "bm01", "bm02", "bm03")
            .group("local", "local1", "local2").host("bastion", "/srv");

    @TempDir
    Path dir;

    Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    List<Runbook> load() {
        return RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, INV);
    }

    List<String> errors() {
        try {
            load();
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded without errors");
    }

    static final String SPEC_EXAMPLE = String.join("\n",
            "name: reconfig",
            "alias: reconfig",
            "description: Reconfigure the buildbot masters",
            "role: releng",
            "approval: { role: releng, required: 1, self_approve: false, timeout: 15m }",
            "params:",
            "  masters: { type: group, default: masters }",
            "  revision: { type: revision, default: tip }",
            "  parallel: { type: int, default: 10 }",
            "steps:",
            "  - name: update checkouts",
            "    ssh: { hosts: \"{{masters}}\", parallel: \"{{parallel}}\", command: \"cd /builds/buildbot && hg pull"
                    + " -u -r {{revision}}\" }",
            "    timeout: 10m",
            "    stuck_after: 3m",
            "  - name: reconfig",
            "    ssh: { hosts: \"{{masters}}\", parallel: \"{{parallel}}\", command: \"buildbot reconfig"
                    + " /builds/buildbot/master\" }",
            "    timeout: 30m",
            "    stuck_after: 5m",
            "    on_host_failure: continue",
            "");

    @Test
    void loadsTheSpecExample() throws IOException {
        write("reconfig.yml", SPEC_EXAMPLE);
        List<Runbook> all = load();
        assertThat(all).hasSize(1);
        Runbook rb = all.get(0);
        assertThat(rb.name()).isEqualTo("reconfig");
        assertThat(rb.alias()).isEqualTo("reconfig");
        assertThat(rb.role()).isEqualTo("releng");
        assertThat(rb.approval().required()).isEqualTo(1);
        assertThat(rb.approval().selfApprove()).isFalse();
        assertThat(rb.approval().timeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(rb.params()).extracting(p -> p.name() + ":" + p.type() + "=" + p.defaultValue())
                .containsExactly("masters:GROUP=masters", "revision:REVISION=tip", "parallel:INT=10");
        assertThat(rb.steps()).hasSize(2);
        StepTemplate first = rb.steps().get(0);
        assertThat(first.kind()).isEqualTo("ssh");
        assertThat(first.hosts()).isEqualTo("{{masters}}");
        assertThat(first.parallel()).isEqualTo("{{parallel}}");
        assertThat(first.args()).containsOnlyKeys("command");
        assertThat(first.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(first.stuckAfter()).isEqualTo(Duration.ofMinutes(3));
        assertThat(first.onHostFailure()).isEqualTo(OnHostFailure.STOP);
        assertThat(rb.steps().get(1).onHostFailure()).isEqualTo(OnHostFailure.CONTINUE);
        assertThat(rb.unit()).isEqualTo("hosts");
        assertThat(rb.onRestart()).isEqualTo(org.buildduty.core.operation.OnRestart.REPORT);
        assertThat(rb.source()).isEqualTo(dir.resolve("reconfig.yml").toString());
        assertThat(rb.synopsis()).isEqualTo("[--masters GROUP] [--revision REVISION] [--parallel N]");
    }

    @Test
    void reportsEveryErrorOfEveryFileWithFileLineAndField() throws IOException {
        String a = write("a.yml", String.join("\n",
                "name: demo",
                "descripton: typo",
                "params:",
                "  revision: { type: revision, default: tip }",
                "steps:",
                "  - name: one",
                "    ssh: { hosts: masters, command: \"hg up -r {{revison}}\" }",
                "    timeout: 10x",
                "  - name: two",
                "    sssh: { command: x }",
                "role: anyone",
                "")).toString();
        String b = write("b.yaml", String.join("\n",
                "name: demo",
                "steps:",
                "  - name: one",
                "    local: { command: \"true\" }",
                "role: anyone",
                "")).toString();
        String c = write("c.yml", String.join("\n",
                "description: no name",
                "steps:",
                "  - name: one",
                "    local: { command: \"true\" }",
                "role: anyone",
                "")).toString();
        write("notes.txt", "not a runbook: ignored");
        assertThat(errors()).containsExactly(
                a + ":2: descripton: unknown key - did you mean \"description\"? (known: alias, approval,"
                        + " description, exclusive, locks, name,"
                        + " on_conflict, on_restart, params, role, rooms, schedule, steps, unit)",
                a + ":7: steps[0].ssh.command: unknown parameter {{revison}} (declared: revision)",
                a + ":8: steps[0].timeout: not a duration: \"10x\" (use a number and a unit: 30s, 10m, 2h, 7d,"
                        + " 1h30m)",
                a + ":10: steps[1].sssh: unknown step kind - did you mean \"ssh\"? (kinds: " + KINDS + ")",
                b + ":1: name: runbook name \"demo\" is already used in " + a,
                c + ":1: name: missing");
    }

    @Test
    void checksParamsApprovalAndShape() throws IOException {
        String f = write("x.yml", String.join("\n",
                "name: Bad_Name",
                "approval: { required: 2 }",
                "on_restart: resume",
                "params:",
                "  host: { type: string }",
                "  mode: { type: enum }",
                "  kind: { type: colour }",
                "  group: { type: group, default: \"local1,nosuch\" }",
                "  count: { type: int, default: 5, min: 10, choices: [a] }",
                "  where: { type: path, roots: [relative] }",
                "steps: []",
                "role: anyone",
                "")).toString();
        assertThat(errors()).containsExactly(
                f + ":1: name: must match [a-z][a-z0-9-]* (at most 40 characters), not \"Bad_Name\"",
                f + ":2: approval: needs a role (approval.role, or the runbook's role)",
                f + ":3: on_restart: must be report or rollback, not \"resume\"",
                f + ":5: params.host: \"host\" is reserved: {{host}} is filled in when a step runs",
                f + ":6: params.mode: type enum needs choices",
                f + ":7: params.kind.type: unknown type \"colour\" (types: bool, duration, enum, group, host, int,"
                        + " path, revision, string)",
                f + ":8: params.group.default: bad value for --group: unknown group or host \"nosuch\" (groups:"
                        + " local, masters; hosts: bastion, bm01, bm02, bm03, local1, local2)",
                f + ":9: params.count.choices: choices are only for type enum",
                f + ":9: params.count.default: bad value for --count: must be at least 10",
                f + ":10: params.where.roots: bad value for --roots: must be an absolute path (starting with /), not"
                        + " \"relative\"",
                f + ":11: steps: needs at least one step");
    }

    @Test
    void checksSteps() throws IOException {
        String f = write("s.yml", String.join("\n",
                "name: steps",
                "params:",
                "  msg: { type: string, default: hi }",
                "  rev: { type: revision, default: tip }",
                "steps:",
                "  - name: quoted",
                "    local: { command: \"echo \\\"{{msg}}\\\"\" }",
                "  - name: single",
                "    local: { command: \"echo '{{msg}}'\" }",
                "  - name: host without hosts",
                "    local: { command: \"echo {{host}}\" }",
                "  - name: two kinds",
                "    local: { command: x }",
                "    ssh: { hosts: masters, command: x }",
                "  - name: parallel by string",
                "    ssh: { hosts: masters, parallel: \"{{rev}}\", command: x }",
                "  - name: hosts on http",
                "    http: { hosts: masters, url: \"http://x/{{rev}}\" }",
                "  - name: no kind",
                "  - name: ssh without hosts",
                "    ssh: { command: uptime }",
                "  - name: nested rollback",
                "    local: { command: x }",
                "    rollback:",
                "      local: { command: y }",
                "      rollback: { local: { command: z } }",
                "  - name: backslash",
                "    local: { command: \"echo \\\\{{msg}}\" }",
                "  - name: heredoc",
                "    local: { command: \"cat <<EOF {{msg}}\" }",
                "  - name: dollar",
                "    local: { command: \"echo ${{msg}}\" }",
                "  - name: bad placeholder",
                "    announce: { text: \"{{ Msg }}\" }",
                "  - name: unknown hosts",
                "    ssh: { hosts: \"bm01,bm9\", command: x }",
                "  - name: failure mode",
                "    local: { command: x }",
                "    on_host_failure: maybe",
                "role: anyone",
                "")).toString();
        assertThat(errors()).containsExactly(
                f + ":7: steps[0].local.command: {{msg}} is inside double quotes; write it bare, it is shell-quoted"
                        + " for you",
                f + ":9: steps[1].local.command: {{msg}} is inside single quotes; write it bare, it is shell-quoted"
                        + " for you",
                f + ":11: steps[2].local.command: {{host}} is only allowed in the command of a step with hosts",
                f + ":12: steps[3]: a step has exactly one kind, not local and ssh",
                f + ":16: steps[4].ssh.parallel: {{rev}} must be of type int",
                f + ":18: steps[5].http.hosts: hosts is only for local and ssh steps",
                f + ":19: steps[6]: a step needs one kind: " + KINDS,
                f + ":21: steps[7].ssh: an ssh step needs hosts",
                f + ":26: steps[8].rollback.rollback: unknown key (known: name, stuck_after, timeout, or a step kind: "
                        + KINDS + ")",
                f + ":28: steps[9].local.command: {{msg}} must not follow a backslash",
                f + ":30: steps[10].local.command: placeholders cannot be used in a command with a here-document"
                        + " (<<)",
                f + ":32: steps[11].local.command: {{msg}} must not follow $",
                f + ":34: steps[12].announce.text: bad placeholder {{Msg}} (a placeholder is {{name}})",
                f + ":36: steps[13].ssh.hosts: unknown group or host \"bm9\" (groups: local, masters; hosts: bastion,"
                        + " bm01, bm02, bm03, local1, local2)",
                f + ":39: steps[14].on_host_failure: must be stop or continue, not \"maybe\"");
    }

    @Test
    void retriesAreReadIntoThePlanAndCheckedWithTheirLine() throws IOException {
        write("r.yml", String.join("\n",
                "name: r",
                "role: anyone",
                "steps:",
                "  - name: deploy",
                "    ssh: { hosts: masters, command: x }",
                "    retries: { count: 3, delay: 30s }",
                "    rollback: { ssh: { command: y } }",
                ""));
        StepSpec step = load().get(0).plan(Map.of(), INV).steps().get(0);
        assertThat(step.retries()).isEqualTo(3);
        assertThat(step.retryDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(step.rollback().retries()).isZero();
        assertThat(DryRun.lines(load().get(0).plan(Map.of(), INV))).anyMatch(l -> l.contains(
                "deploy (ssh on bm01..bm03 (3 hosts), 1 at a time, a failed host retried up to 3 times, 30s apart)"));
        assertThat(org.buildduty.core.journal.PlanCodec.decode(org.buildduty.core.journal.PlanCodec.encode(
                load().get(0).plan(Map.of(), INV))).steps().get(0)).isEqualTo(step);

        String f = write("r.yml", String.join("\n",
                "name: r",
                "role: anyone",
                "steps:",
                "  - name: a",
                "    local: { command: x }",
                "    retries: { count: 11, delay: 30s }",
                "  - name: b",
                "    local: { command: x }",
                "    retries: { count: 2, delay: soon, every: 1 }",
                "  - name: c",
                "    local: { command: x }",
                "    retries: 3",
                "  - name: d",
                "    local: { command: x }",
                "    rollback: { local: { command: y }, retries: { count: 1 } }",
                "")).toString();
        assertThat(errors()).hasSize(5).contains(
                f + ":6: steps[0].retries.count: must be 1 to 10",
                f + ":12: steps[2].retries: expected a mapping: count (1 to 10), delay (e.g. 30s)")
                .anyMatch(e -> e.startsWith(f + ":9: steps[1].retries.delay: "))
                .anyMatch(e -> e.startsWith(f + ":9: steps[1].retries.every: unknown key"))
                .anyMatch(e -> e.startsWith(f + ":15: steps[3].rollback.retries: unknown key"));
    }

    @Test
    void roomsAreConnectorAndRoomPairs() throws IOException {
        write("ok.yml", "name: ok\nrole: anyone\nrooms: [\"libera:#releng\", \"zulip:engineering\","
                + " \"matrix:!abc:example.org\", \"console:console\"]\nsteps:\n  - name: s\n"
                + "    local: { command: x }\n");
        Runbook rb = load().get(0);
        assertThat(rb.rooms()).containsExactly("libera:#releng", "zulip:engineering", "matrix:!abc:example.org",
                "console:console");
        assertThat(rb.startsIn(org.buildduty.core.chat.ChatAddress.of("libera", "#ReLeng"))).isTrue();
        assertThat(rb.startsIn(new org.buildduty.core.chat.ChatAddress("zulip", "engineering", "deploys"))).isTrue();
        assertThat(rb.startsIn(org.buildduty.core.chat.ChatAddress.of("libera", "alice"))).isFalse();
        assertThat(rb.startsIn(org.buildduty.core.chat.ChatAddress.of("zulip", "#releng"))).isFalse();
        String f = write("ok.yml", "name: ok\nrole: anyone\nrooms: [\"#releng\", \"libera:\", \"Libera:#a\","
                + " \"libera:#a b\"]\nsteps:\n  - name: s\n    local: { command: x }\n").toString();
        assertThat(errors()).containsExactly(
                f + ":3: rooms: \"#releng\" is not <connector-id>:<room> (e.g. libera:#releng, zulip:engineering,"
                        + " console:console)",
                f + ":3: rooms: \"libera:\" is not <connector-id>:<room> (e.g. libera:#releng, zulip:engineering,"
                        + " console:console)",
                f + ":3: rooms: \"Libera:#a\" is not <connector-id>:<room> (e.g. libera:#releng, zulip:engineering,"
                        + " console:console)",
                f + ":3: rooms: \"libera:#a?b\" is not <connector-id>:<room> (e.g. libera:#releng,"
                        + " zulip:engineering, console:console)");
        write("ok.yml", "name: ok\nrole: anyone\nrooms: []\nsteps:\n  - name: s\n    local: { command: x }\n");
        assertThat(errors()).containsExactly(f + ":3: rooms: needs at least one room (<connector-id>:<room>), or"
                + " leave rooms out for anywhere");
        write("ok.yml", "name: ok\nrole: anyone\nrooms: [\"oftc:#a\", \"libera:#a\"]\nsteps:\n  - name: s\n"
                + "    local: { command: x }\n");
        try {
            RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, List.of(), INV, java.util.Set.of("libera",
                    "console"));
            throw new AssertionError("loaded an unknown connector id");
        } catch (ConfigException e) {
            assertThat(e.errors()).containsExactly(f + ":3: rooms: \"oftc:#a\" names no configured connector"
                    + " (connectors: console, libera)");
        }
    }

    @Test
    void exclusionKeysDefaultToOneLiveOperationOfTheRunbookAndAreCheckedAtLoad() throws IOException {
        write("ok.yml", "name: ok\nrole: anyone\nsteps:\n  - name: s\n    local: { command: x }\n");
        assertThat(load().get(0).exclusion()).isEqualTo(org.buildduty.core.operation.Exclusion.RUNBOOK);
        write("ok.yml", "name: ok\nrole: anyone\nexclusive: hosts\nlocks: [buildbot-masters, buildbot-masters]\n"
                + "on_conflict: refuse\nsteps:\n  - name: s\n    local: { command: x }\n");
        assertThat(load().get(0).exclusion()).isEqualTo(new org.buildduty.core.operation.Exclusion(true, true,
                List.of("buildbot-masters"), List.of(), true));
        write("ok.yml", "name: ok\nrole: anyone\nexclusive: none\nsteps:\n  - name: s\n    local: { command: x }\n");
        assertThat(load().get(0).exclusion().isNone()).isTrue();
        String f = write("ok.yml", "name: ok\nrole: anyone\nexclusive: host\nlocks: [\"a b\"]\non_conflict: wait\n"
                + "steps:\n  - name: s\n    local: { command: x }\n").toString();
        assertThat(errors()).containsExactly(
                f + ":3: exclusive: must be runbook, hosts or none, not \"host\"",
                f + ":4: locks: \"a?b\" is not a lock name (letters, digits, . _ -; at most 40 characters)",
                f + ":5: on_conflict: must be queue or refuse, not \"wait\"");
        write("ok.yml", "name: ok\nrole: anyone\nlocks: []\nsteps:\n  - name: s\n    local: { command: x }\n");
        assertThat(errors()).containsExactly(f + ":3: locks: needs at least one lock name, or leave locks out");
    }

    @Test
    void reportsYamlSyntaxAndDuplicateAliases() throws IOException {
        String a = write("a.yml", "name: one\nalias: go\nsteps:\n  - name: s\n    local: { command: x }\n"
                + "role: anyone\n").toString();
        String b = write("b.yml", "name: two\nalias: go\nsteps:\n  - name: s\n    local: { command: x }\n"
                + "role: anyone\n").toString();
        String c = write("c.yml", "name: three\nsteps: [ { name: s\n").toString();
        List<String> errors = errors();
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).isEqualTo(b + ":2: alias: alias \"go\" is already used in " + a);
        assertThat(errors.get(1)).startsWith(c + ":").contains("YAML syntax error");
    }

    @Test
    void aYamlSyntaxErrorKeepsTheParsersDetailAndColumn() throws IOException {
        String f = write("bad.yml", "name: bad\nrole: anyone\nsteps:\n  - name: s\n    local: { command: [x, y }\n")
                .toString();
        assertThat(errors()).containsExactly(f + ":5: YAML syntax error at column 29: expected ',' or ']', but got }"
                + " (while parsing a flow sequence at line 5, column 23)");
    }

    @Test
    void anErrorInsideABlockCommandPointsAtItsLine() throws IOException {
        String f = write("block.yml", String.join("\n",
                "name: block",
                "role: anyone",
                "params:",
                "  who: { type: string, default: world }",
                "steps:",
                "  - name: greet",
                "    local:",
                "      command: |",
                "        echo one",
                "",
                "        echo \"hello {{who}}\"",
                "  - name: again",
                "    local:",
                "      command: |-",
                "        echo {{who}}",
                "        echo {{nobody}}",
                "  - name: folded",
                "    local:",
                "      command: >",
                "        echo {{nobody}}",
                "")).toString();
        assertThat(errors()).containsExactly(
                f + ":11: steps[0].local.command: {{who}} is inside double quotes; write it bare, it is shell-quoted"
                        + " for you",
                f + ":16: steps[1].local.command: unknown parameter {{nobody}} (declared: who)",
                f + ":19: steps[2].local.command: unknown parameter {{nobody}} (declared: who)");
    }

    @Test
    void aMistypedStepKeyOrKindIsAnsweredWithTheClosestOne() throws IOException {
        String f = write("typo.yml", String.join("\n",
                "name: typo",
                "role: anyone",
                "steps:",
                "  - name: one",
                "    local: { command: x }",
                "    timout: 5m",
                "  - name: two",
                "    shh: { hosts: bm01, command: x }",
                "")).toString();
        assertThat(errors()).containsExactly(
                f + ":6: steps[0].timout: unknown key - did you mean \"timeout\"? (known: name, on_host_failure,"
                        + " retries, rollback, stuck_after, timeout, or a step kind: " + KINDS + ")",
                f + ":8: steps[1].shh: unknown step kind - did you mean \"ssh\"? (kinds: " + KINDS + ")");
    }

    @Test
    void acceptsSafePlaceholdersAndRollbacksOnTheStepsHosts() throws IOException {
        write("ok.yml", String.join("\n",
                "name: ok",
                "role: anyone",
                "params:",
                "  msg: { type: string, default: hi }",
                "  hosts: { type: group, default: local }",
                "  n: { type: int, default: 2, min: 1 }",
                "  mode: { type: enum, choices: [a, b], default: a }",
                "steps:",
                "  - name: fan",
                "    local:",
                "      hosts: \"{{ hosts }}\"",
                "      parallel: \"{{n}}\"",
                "      command: \"echo --msg={{msg}} on {{host}} for {{operation}} # it's fine: '{{msg}}'\"",
                "    rollback:",
                "      local: { command: \"echo undo {{host}}\" }",
                "  - name: post",
                "    http: { url: \"http://h/{{msg}}\", body: \"{\\\"m\\\": \\\"{{msg}}\\\"}\",",
                "            headers: { X: \"{{mode}}\" } }",
                "  - name: tell",
                "    announce: { text: \"done {{msg}} #{{operation}}\" }",
                ""));
        Runbook rb = load().get(0);
        StepTemplate fan = rb.steps().get(0);
        assertThat(fan.rollback().name()).isEqualTo("undo fan");
        assertThat(fan.rollback().hosts()).isEqualTo("{{ hosts }}");
        assertThat(fan.rollback().parallel()).isEqualTo("{{n}}");
        assertThat(rb.steps().get(1).args().get("headers")).isEqualTo(Map.of("X", "{{mode}}"));
        assertThat(rb.param("mode").orElseThrow().type()).isEqualTo(ParamType.ENUM);
        assertThat(rb.unit()).isEqualTo("hosts");
    }

    @Test
    void askExecutorsToValidateArguments() throws IOException {
        String f = write("v.yml", "name: v\nsteps:\n  - name: s\n    http: { url: \"ftp://x\" }\nrole: anyone\n")
                .toString();
        StepExecutor http = new StepExecutor() {
            @Override
            public String kind() {
                return "http";
            }

            @Override
            public StepResult execute(ExecRequest request, ExecContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Map<String, String> validateArgs(Map<String, Object> args) {
                return Map.of("url", "must start with http:// or https://", "method", "needs a method");
            }
        };
        assertThatThrownBy(() -> RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, List.of(http), INV))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactlyInAnyOrder(
                        f + ":4: steps[0].http.url: must start with http:// or https://",
                        f + ":4: steps[0].http.method: needs a method"));
    }

    @Test
    void aRunbookMustSayWhoMayRunIt() throws IOException {
        String f = write("open.yml", "name: open\nsteps:\n  - name: s\n    local: { command: \"true\" }\n")
                .toString();
        assertThat(errors()).containsExactly(f + ":1: role: missing: say who may run it, role: <name> (a role of the"
                + " roles section) or role: anyone");
        write("open.yml", "name: open\nrole: anyone\nsteps:\n  - name: s\n    local: { command: \"true\" }\n");
        write("closed.yml", "name: closed\nrole: releng\nsteps:\n  - name: s\n    local: { command: \"true\" }\n");
        assertThat(load()).extracting(Runbook::name, Runbook::role).containsExactly(
                tuple("closed", "releng"), tuple("open", ""));
    }

    @Test
    void aPlaceholderInsideBackquotesIsRefusedWithDollarParenthesesSuggested() throws IOException {
        String f = write("bq.yml", String.join("\n",
                "name: bq",
                "role: anyone",
                "params:",
                "  p: { type: string, default: x }",
                "steps:",
                "  - name: plain",
                "    local: { command: \"echo `basename {{p}}`\" }",
                "  - name: in double quotes",
                "    local: { command: \"echo \\\"`basename {{p}}`\\\"\" }",
                "  - name: nested",
                "    local: { command: \"echo `echo \\\\`basename {{p}}\\\\``\" }",
                "  - name: after an escaped one",
                "    local: { command: \"echo \\\\` `printf %s {{p}}`\" }",
                "")).toString();
        String why = " is inside backquotes (`...`), where a quoted value can end the command substitution; write"
                + " $(...) instead";
        assertThat(errors()).containsExactly(
                f + ":7: steps[0].local.command: {{p}}" + why,
                f + ":9: steps[1].local.command: {{p}}" + why,
                f + ":11: steps[2].local.command: {{p}}" + why,
                f + ":13: steps[3].local.command: {{p}}" + why);
        write("bq.yml", String.join("\n",
                "name: bq",
                "role: anyone",
                "params:",
                "  p: { type: string, default: x }",
                "steps:",
                "  - name: outside",
                "    local: { command: \"echo `date` {{p}} $(basename {{p}}) '`' {{p}}"
                        + " \\\"\\\\`\\\" {{p}} \\\\` {{p}}\" }",
                ""));
        assertThat(load().get(0).steps().get(0).args().get("command"))
                .isEqualTo("echo `date` {{p}} $(basename {{p}}) '`' {{p}} \"\\`\" {{p}} \\` {{p}}");
    }

    @Test
    void aStringBodyTakesBarePlaceholdersOnlyForIntAndBool() throws IOException {
        String f = write("body.yml", String.join("\n",
                "name: body",
                "role: anyone",
                "params:",
                "  msg: { type: string, default: x }",
                "  rev: { type: revision, default: tip }",
                "  n: { type: int, default: 1 }",
                "  flag: { type: bool }",
                "steps:",
                "  - name: string bare",
                "    http: { method: POST, url: \"http://h/x\", body: \"{\\\"m\\\": {{msg}}}\" }",
                "  - name: revision bare",
                "    http: { method: POST, url: \"http://h/x\", body: \"[1, {{rev}}]\" }",
                "  - name: kept bare",
                "    http: { method: POST, url: \"http://h/x\", keep: { id: $.id } }",
                "  - name: uses kept",
                "    http: { method: POST, url: \"http://h/x\", body: \"{\\\"id\\\": {{id}}}\" }",
                "  - name: after an escaped quote",
                "    http: { method: POST, url: \"http://h/x\", body: \"{\\\"a\\\\\\\"\\\": {{msg}}}\" }",
                "")).toString();
        String why = " stands outside a JSON string, where a value could add JSON structure; only an int or bool"
                + " parameter may stand bare (write \"{{";
        List<StepExecutor> http = List.of(new HttpExecutor(HttpCredentials.none()));
        assertThatThrownBy(() -> RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, http, INV))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                f + ":10: steps[0].http.body: {{msg}}" + why + "msg}}\")",
                f + ":12: steps[1].http.body: {{rev}}" + why + "rev}}\")",
                f + ":16: steps[3].http.body: {{id}}" + why + "id}}\")",
                f + ":18: steps[4].http.body: {{msg}}" + why + "msg}}\")"));
        write("body.yml", String.join("\n",
                "name: body",
                "role: anyone",
                "params:",
                "  msg: { type: string, default: x }",
                "  n: { type: int, default: 1 }",
                "  flag: { type: bool }",
                "steps:",
                "  - name: post",
                "    http:",
                "      method: POST",
                "      url: \"http://h/x\"",
                "      body: \"{\\\"m\\\": \\\"{{msg}} \\\\\\\" {{msg}}\\\", \\\"n\\\": {{n}}, \\\"f\\\": {{flag}},"
                        + " \\\"op\\\": {{operation}}}\"",
                "  - name: mapping",
                "    http: { method: POST, url: \"http://h/x\", body: { m: \"{{msg}}\", n: \"{{n}}\" } }",
                ""));
        assertThat(RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, http, INV).get(0).steps().get(0).args()
                .get("body"))
                .isEqualTo("{\"m\": \"{{msg}} \\\" {{msg}}\", \"n\": {{n}}, \"f\": {{flag}}, \"op\": {{operation}}}");
    }

    @Test
    void allowDashIsABooleanParameterKey() throws IOException {
        String f = write("d.yml", String.join("\n",
                "name: d",
                "role: anyone",
                "params:",
                "  pattern: { type: string, allow_dash: true }",
                "  other: { type: string, allow_dash: maybe }",
                "steps:",
                "  - name: s",
                "    local: { command: \"grep -e {{pattern}} {{other}} /dev/null\" }",
                "")).toString();
        assertThat(errors()).containsExactly(f + ":5: params.other.allow_dash: expected true or false, not \"maybe\"");
        write("d.yml", String.join("\n",
                "name: d",
                "role: anyone",
                "params:",
                "  pattern: { type: string, allow_dash: true }",
                "  other: { type: string, default: -v }",
                "steps:",
                "  - name: s",
                "    local: { command: \"grep -e {{pattern}} {{other}} /dev/null\" }",
                ""));
        Runbook rb = load().get(0);
        assertThat(rb.param("pattern").orElseThrow().allowDash()).isTrue();
        assertThat(rb.param("other").orElseThrow().allowDash()).isFalse();
    }

    @Test
    void aUrlPlaceholderWhoseDefaultOrChoiceIsADotSegmentIsRefused() throws IOException {
        String f = write("u.yml", String.join("\n",
                "name: u",
                "role: anyone",
                "params:",
                "  id: { type: string, default: \"..\" }",
                "  where: { type: enum, choices: [builds, \"%2e\"], default: builds }",
                "steps:",
                "  - name: s",
                "    http: { url: \"http://h/api/{{where}}/{{id}}\" }",
                "  - name: t",
                "    local: { command: \"echo {{id}} {{where}}\" }",
                "")).toString();
        assertThat(errors()).containsExactly(
                f + ":8: steps[0].http.url: {{where}} may be \"%2e\", which must not be . or .. (or a %2e form of"
                        + " them): in a URL it would walk up the path");
    }

    @Test
    void aMissingFolderIsAnError() {
        assertThatThrownBy(() -> RunbookLoader.loadAll(dir.resolve("nope"), RunbookLoader.STANDARD_KINDS, INV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
        assertThat(load()).isEmpty();
    }
}
