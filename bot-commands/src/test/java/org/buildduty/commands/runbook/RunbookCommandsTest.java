package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.core.InvalidValueException;
import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UsageException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.command.ParsedArgs;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.testing.TestBot;

class RunbookCommandsTest {
    @TempDir
    Path dir;

    FakeBotApi bot;

    @BeforeEach
    void setUp() throws IOException {
        FakeInventory inv = new FakeInventory().group("masters", "bm01", "bm02").group("local", "local1");
        bot = new FakeBotApi(inv);
        Files.writeString(dir.resolve("reconfig.yml"), RunbookLoaderTest.SPEC_EXAMPLE);
        Files.writeString(dir.resolve("echo.yml"), String.join("\n",
                "name: echo",
                "role: anyone",
                "description: print a message",
                "params:",
                "  message: { type: string, description: what to print }",
                "  times: { type: int, default: 1, min: 1, max: 3 }",
                "steps:",
                "  - name: print",
                "    local: { command: \"printf %s {{message}}\" }",
                ""));
        List<Runbook> runbooks = RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, inv);
        RunbookCommands.register(bot.commands(), runbooks);
    }

    CommandContext context(String command, List<String> tokens, Set<String> roles) throws ParseException {
        CommandSpec spec = bot.commands().get(command).orElseThrow();
        ParsedArgs args;
        if (spec.rawArgs()) {
            CommandLine none = DefaultParser.builder().get().parse(new Options(), new String[0]);
            args = new ParsedArgs(none, tokens);
        } else {
            CommandLine cl = DefaultParser.builder().get().parse(spec.options(), tokens.toArray(new String[0]));
            args = new ParsedArgs(cl, cl.getArgList());
        }
        ChatMessage msg = new ChatMessage(ChatAddress.of("console", "console"), new Identity("libera", "alice"),
                "alice", command + " " + String.join(" ", tokens), false, Instant.EPOCH);
        return new CommandContext(msg, spec, args, roles, bot);
    }

    Outcome call(String command, Set<String> roles, String... tokens) throws ParseException {
        CommandContext ctx = context(command, List.of(tokens), roles);
        return ctx.spec().handler().handle(ctx);
    }

    static OperationPlan plan(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Planned.class);
        return ((Outcome.Planned) o).plan();
    }

    @Test
    void registersRunWithRawArgsAndTheAlias() {
        CommandSpec run = bot.commands().get("run").orElseThrow();
        assertThat(run.rawArgs()).isTrue();
        assertThat(run.requiredRole()).isEmpty();
        assertThat(run.usageOverride()).contains("<runbook> [--param value ...]");
        CommandSpec reconfig = bot.commands().get("reconfig").orElseThrow();
        assertThat(reconfig.rawArgs()).isFalse();
        assertThat(reconfig.requiredRole()).contains("releng");
        assertThat(reconfig.summary()).isEqualTo("Reconfigure the buildbot masters");
        assertThat(reconfig.options().getOptions()).extracting(Option::getLongOpt, Option::getArgName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("masters", "GROUP"),
                        org.assertj.core.groups.Tuple.tuple("revision", "REVISION"),
                        org.assertj.core.groups.Tuple.tuple("parallel", "N"));
        assertThat(reconfig.options().getOption("parallel").getDescription()).isEqualTo("(default: 10)");
        assertThat(bot.commands().get("echo")).isEmpty();
    }

    /** A runbook with bool parameters; the bot then knows only it. */
    void flaggedRunbook() throws IOException {
        Path d = dir.resolve("flagged");
        Files.createDirectories(d);
        Files.writeString(d.resolve("flagged.yml"), String.join("\n",
                "name: flagged",
                "alias: flagged",
                "role: anyone",
                "approval: { role: releng, required: 1 }",
                "params:",
                "  hosts: { type: group, default: masters }",
                "  dry_run: { type: bool, description: only show the plan }",
                "  loud_mode: { type: bool, default: false }",
                "  note: { type: string, default: \"it's\" }",
                "steps:",
                "  - name: hello",
                "    ssh: { hosts: \"{{hosts}}\", parallel: 5, command: \"echo {{loud_mode}} {{note}} on {{host}}\" }",
                "    timeout: 1m",
                "    on_host_failure: continue",
                "  - name: notify",
                "    http: { method: POST, url: \"http://127.0.0.1:1/x\", body: { loud: \"{{loud_mode}}\" } }",
                ""));
        FakeInventory inv = new FakeInventory().group("masters", "bm01", "bm02");
        bot = new FakeBotApi(inv);
        RunbookCommands.register(bot.commands(), RunbookLoader.loadAll(d, RunbookLoader.STANDARD_KINDS, inv));
    }

    @Test
    void boolParametersAreFlagsWrittenWithDashes() throws Exception {
        flaggedRunbook();
        CommandSpec alias = bot.commands().get("flagged").orElseThrow();
        assertThat(alias.options().getOptions()).extracting(Option::getLongOpt, Option::hasArg)
                .contains(org.assertj.core.groups.Tuple.tuple("dry-run", false),
                        org.assertj.core.groups.Tuple.tuple("loud-mode", false),
                        org.assertj.core.groups.Tuple.tuple("hosts", true));
        OperationPlan quiet = plan(call("flagged", Set.of()));
        assertThat(quiet.paramSummary()).isEqualTo("hosts='masters (2)' dry_run=false loud_mode=false note=\"it's\"");
        assertThat(quiet.steps().get(0).arg("command")).isEqualTo("echo 'false' 'it'\\''s' on {{host}}");
        OperationPlan loud = plan(call("flagged", Set.of(), "--loud-mode"));
        assertThat(loud.params()).containsEntry("loud_mode", "true");
        assertThat(loud.steps().get(1).args().get("body")).isEqualTo(Map.of("loud", true));
        assertThat(plan(call("run", Set.of(), "flagged", "--loud-mode", "--hosts", "bm02")).params())
                .containsEntry("loud_mode", "true").containsEntry("hosts", "bm02 (1)");
        assertThat(plan(call("run", Set.of(), "flagged", "--loud_mode=no")).params())
                .containsEntry("loud_mode", "false");
        assertThatThrownBy(() -> call("run", Set.of(), "flagged", "--loud-mode=maybe"))
                .hasMessage("bad value for --loud_mode: must be true or false, not \"maybe\"");
        assertThatThrownBy(() -> call("run", Set.of(), "flagged", "--loud-mode", "--loud_mode"))
                .isInstanceOf(UsageException.class).hasMessage("run flagged: --loud_mode given twice");
        assertThatThrownBy(() -> call("run", Set.of(), "flagged", "x"))
                .hasMessageEndingWith("usage: run flagged [--hosts GROUP] [--dry-run] [--loud-mode] [--note STRING]");
    }

    @Test
    void dryRunAnswersWithThePlanAndStartsNothing() throws Exception {
        flaggedRunbook();
        List<String> expected = List.of(
                "flagged dry run (nothing started): hosts='masters (2)' dry_run=true loud_mode=true note=\"it's\"",
                "would need approval: 1 of role releng, not the requester",
                "1. hello (ssh on bm01, bm02 (2 hosts), 2 at a time, a failed host does not stop the others,"
                        + " timeout 1m): echo 'true' 'it'\\''s' on {{host}}",
                "2. notify (http): POST http://127.0.0.1:1/x");
        for (List<String> tokens : List.of(List.of("--dry-run", "--loud-mode"), List.of("--loud-mode", "--dry-run"))) {
            Outcome viaAlias = call("flagged", Set.of(), tokens.toArray(new String[0]));
            assertThat(viaAlias).isInstanceOf(Outcome.Reply.class);
            assertThat(((Outcome.Reply) viaAlias).lines()).isEqualTo(expected);
        }
        Outcome viaRun = call("run", Set.of(), "flagged", "--dry_run", "--loud-mode=yes");
        assertThat(((Outcome.Reply) viaRun).lines()).isEqualTo(expected);
        assertThat(call("run", Set.of(), "flagged", "--dry-run=false")).isInstanceOf(Outcome.Planned.class);
        assertThatThrownBy(() -> call("run", Set.of(), "flagged", "--dry-run", "--hosts", "nosuch"))
                .isInstanceOf(InvalidValueException.class).hasMessageStartingWith("bad value for --hosts");
    }

    @Test
    void runAndTheAliasRefuseALeadingDashInOneLineUnlessTheParameterAllowsIt() throws IOException {
        Path d = dir.resolve("dashy");
        Files.createDirectories(d);
        Files.writeString(d.resolve("dashy.yml"), """
                name: dashy
                alias: dashy
                role: anyone
                params:
                  msg: { type: string }
                  pattern: { type: string, default: x, allow_dash: true }
                  dry_run: { type: bool }
                steps:
                  - name: grep
                    local: { command: "grep -e {{pattern}} -- {{msg}}" }
                """);
        List<Runbook> runbooks = RunbookLoader.loadAll(d, RunbookLoader.STANDARD_KINDS, new FakeInventory());
        try (TestBot chat = TestBot.builder().commands(r -> RunbookCommands.register(r, runbooks)).build()) {
            String refused = "bad value for --msg: must not start with - (a command could read it as an option)";
            assertThat(chat.send("alice", "!run dashy --msg=-oProxyCommand=x")).containsExactly(refused);
            assertThat(chat.send("alice", "!run dashy --msg -oProxyCommand=x")).containsExactly(refused);
            assertThat(chat.send("alice", "!run dashy --pattern=-v --msg --help")).containsExactly(refused);
            assertThat(chat.send("alice", "!dashy --msg=-oProxyCommand=x")).singleElement().asString()
                    .startsWith("value of --msg must not start with '-'; usage: ");
            String plan = "1. grep (local): grep -e '-v' -- 'ok'";
            assertThat(chat.send("alice", "!run dashy --dry-run --pattern=-v --msg ok")).contains(plan);
            assertThat(chat.send("alice", "!run dashy --dry-run --pattern -v --msg ok")).contains(plan);
            assertThat(chat.send("alice", "!dashy --dry-run --pattern=-v --msg ok")).contains(plan);
            assertThat(chat.send("alice", "!dashy --dry-run --pattern -v --msg ok")).contains(plan);
            assertThat(chat.engine().api().activeOperations()).isEmpty();
        }
    }

    @Test
    void helpRunAndRunHelpShowTheRunbooksParametersWithDescriptionsAndDefaults() throws IOException {
        List<Runbook> runbooks = RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, new FakeInventory()
                .group("masters", "bm01").group("local", "local1"));
        try (TestBot chat = TestBot.builder().commands(r -> {
            BuiltinCommands.commands(r);
            RunbookCommands.register(r, runbooks);
        }).build()) {
            List<String> echo = List.of(
                    "run echo --message STRING [--times N]",
                    "print a message",
                    "  --message STRING  what to print (required)",
                    "  --times N  (default: 1)");
            assertThat(chat.send("alice", "!help run echo")).containsExactlyElementsOf(echo);
            assertThat(chat.send("alice", "!run echo --help")).containsExactlyElementsOf(echo);
            assertThat(chat.send("alice", "!help run reconfig")).contains("needs role releng", "alias: reconfig");
            assertThat(chat.send("alice", "!help run ecko")).singleElement().asString()
                    .contains("unknown runbook").contains("echo");
            assertThat(chat.engine().api().activeOperations()).isEmpty();
        }
    }

    @Test
    void runAloneListsRunbooks() throws ParseException {
        Outcome o = call("run", Set.of());
        assertThat(((Outcome.Reply) o).lines()).containsExactly(
                "runbooks (run <runbook> [--param value ...]):",
                "echo - print a message",
                "reconfig - Reconfigure the buildbot masters (role releng, needs approval)");
    }

    @Test
    void runPlansWithPairsAndEqualsForms() throws ParseException {
        OperationPlan p = plan(call("run", Set.of(), "echo", "--message", "hi; $(id)", "--times=2"));
        assertThat(p.kind()).isEqualTo("echo");
        assertThat(p.paramSummary()).isEqualTo("message='hi; $(id)' times=2");
        assertThat(p.steps().get(0).arg("command")).isEqualTo("printf %s 'hi; $(id)'");
        assertThat(plan(call("run", Set.of(), "echo", "--message=a=b")).params()).containsEntry("message", "a=b");
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--message", "--times"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("bad value for --message: must not start with - (a command could read it as an option)");
    }

    @Test
    void runRejectsBadTokens() {
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "message", "x")).isInstanceOf(UsageException.class)
                .hasMessage("run echo: expected --param value, not \"message\"; usage: run echo --message STRING"
                        + " [--times N]");
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--message")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("run echo: --message needs a value");
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--message", "a", "--message", "b"))
                .isInstanceOf(UsageException.class).hasMessage("run echo: --message given twice");
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--", "x")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--mesage", "x"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("unknown parameter --mesage for run echo; parameters: --message, --times");
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--message", "a\nb"))
                .isInstanceOf(InvalidValueException.class).hasMessageNotContaining("\n");
        assertThatThrownBy(() -> call("run", Set.of(), "echo", "--times", "9", "--message", "x"))
                .hasMessage("bad value for --times: must be at most 3");
    }

    @Test
    void runChecksTheRunbookRole() throws ParseException {
        assertThatThrownBy(() -> call("run", Set.of("ops"), "reconfig")).isInstanceOf(NotAllowedException.class)
                .hasMessageStartingWith("not allowed: run reconfig needs role releng (you are ");
        OperationPlan p = plan(call("run", Set.of("releng"), "reconfig", "--revision", "v1.2"));
        assertThat(p.paramSummary()).isEqualTo("masters='masters (2)' revision=v1.2 parallel=10");
        assertThat(p.approval().isRequired()).isTrue();
    }

    @Test
    void runSuggestsTheClosestRunbook() {
        assertThatThrownBy(() -> call("run", Set.of(), "reconfg")).isInstanceOf(UserFacingException.class)
                .hasMessage("unknown runbook \"reconfg\"; did you mean reconfig? runbooks: echo, reconfig");
        assertThatThrownBy(() -> call("run", Set.of(), "zzz\u0003"))
                .hasMessage("unknown runbook \"zzz?\"; runbooks: echo, reconfig");
        assertThatThrownBy(() -> call("run", Set.of(), "rec")).hasMessageContaining("did you mean reconfig?");
    }

    @Test
    void theAliasPlansFromItsOptions() throws ParseException {
        OperationPlan p = plan(call("reconfig", Set.of("releng"), "--masters", "bm02", "--parallel", "1"));
        assertThat(p.kind()).isEqualTo("reconfig");
        assertThat(p.steps().get(0).hosts()).containsExactly("bm02");
        assertThat(p.steps().get(0).parallel()).isEqualTo(1);
        assertThat(p.paramSummary()).isEqualTo("masters='bm02 (1)' revision=tip parallel=1");
        assertThatThrownBy(() -> call("reconfig", Set.of("releng"), "--revision", "$(reboot)"))
                .isInstanceOf(InvalidValueException.class).hasMessageStartingWith("bad value for --revision");
    }

    @Test
    void closestMatch() {
        assertThat(RunbookCommands.closest("demo-aproval", List.of("demo", "demo-approval")))
                .contains("demo-approval");
        assertThat(RunbookCommands.closest("xyz", List.of("demo"))).isEmpty();
    }
}
