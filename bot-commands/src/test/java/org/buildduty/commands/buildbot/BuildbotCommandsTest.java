package org.buildduty.commands.buildbot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.commands.testing.BuildbotMaster;
import org.buildduty.commands.testing.GitForge;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.TestBot;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * {@code force} and {@code builds running} on a real Buildbot 3.7 master and worker, with a local bare git repository
 * standing in for the forge: branch builds, a failing builder, the pull-request approval bound to the commit shown,
 * hostile values refused before any call, and the running-builds check.
 */
class BuildbotCommandsTest {
    /** The room TestBot talks in: approvals count there. */
    private static final ChatAddress HERE = TestBot.ROOM_ADDRESS;

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static BuildbotMaster master;
    static GitForge forge;

    private TestBot bot;

    @BeforeAll
    static void start() throws Exception {
        master = BuildbotMaster.start(dir.resolve("buildbot"));
        forge = GitForge.create(dir.resolve("forge"));
        forge.commitToBranch("main", "README", "release 1.2.3");
    }

    @AfterAll
    static void stop() {
        if (master != null) {
            master.close();
        }
    }

    @AfterEach
    void closeBot() {
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot bot(BuildbotClient client) {
        Map<String, String> repos = Map.of("quick", forge.url(), "failing", forge.url(), "slow", forge.url(),
                "echo-rev", forge.url());
        bot = TestBot.builder().role("releng", "alice", "bob")
                .commands(r -> {
                    BuiltinCommands.commands(r);
                    BuildbotCommands.register(r, client, new GitRemote(dir.resolve("git-cache"),
                            Duration.ofSeconds(20)), BuildbotCommands.Settings.defaults(repos), Ticker.system());
                })
                .executor(new BuildbotExecutor(client, Ticker.system(), Sleeper.system())).build();
        return bot;
    }

    private static BuildbotClient client() {
        return BuildbotClient.of(master.url(), master.user(), master::password);
    }

    @Test
    void aBranchBuildRunsAtOnceAndReportsSuccessOrFailure() {
        bot(client());
        List<String> started = bot.send("alice", "!force quick --branch main");
        assertThat(String.join("\n", started)).contains("force #1 started").contains("branch=refs/heads/main");
        assertThat(org.buildduty.core.operation.Exclusion.keys(bot.journal().operation(
                new org.buildduty.core.operation.OperationId(1)).orElseThrow().plan()))
                .containsExactly("target:builder quick");
        bot.awaitLine("force #1 [############] 1/1 steps · succeeded", WAIT);
        assertThat(output(1)).anyMatch(l -> l.matches("build quick#\\d+ started on w1: http://.*"))
                .anyMatch(l -> l.matches("build quick#\\d+ SUCCESS in .*"));

        bot.send("alice", "!force failing --branch main");
        List<String> failed = bot.awaitLine("FAILURE after", WAIT);
        assertThat(String.join("\n", failed)).contains("FAILURE after");
    }

    @Test
    void aPullRequestNeedsApprovalAndRunsExactlyTheApprovedCommit() throws Exception {
        bot(client());
        String first = forge.commitToPull(12, "fix.txt", "the fix");
        List<String> asked = bot.send("alice", "!force echo-rev --pr 12 --reason 'check the fix'");
        assertThat(String.join("\n", asked)).contains("approve with \"!approve 1\"")
                .contains("branch=refs/pull/12/head").contains("commit='" + first.substring(0, 7))
                .contains("code from a fork runs on the workers");

        String moved = forge.commitToPull(12, "fix.txt", "an unreviewed follow-up");
        String answer = bot.api().approve(new OperationId(1), new Identity(TestBot.CHAT, "bob"), HERE);
        assertThat(answer).contains("force #1 approved by bob, but not run: refs/pull/12/head moved from "
                + first.substring(0, 7) + " to " + moved.substring(0, 7)).contains("asking again:")
                .contains("force #2 by alice").contains("commit='" + moved.substring(0, 7));
        assertThat(bot.journal().operation(new OperationId(1)).orElseThrow().state().isTerminal()).isTrue();

        assertThat(bot.api().approve(new OperationId(2), new Identity(TestBot.CHAT, "bob"), HERE))
                .endsWith("; running");
        bot.awaitLine("force #2 [############] 1/1 steps · succeeded", WAIT);
        long brid = requestOf(2);
        BuildbotClient client = client();
        long buildId = client.buildsOfRequest(brid).get(0).id();
        Map<String, String> props = client.buildProperties(buildId);
        assertThat(props.get("revision")).isEqualTo(moved);
        assertThat(props.get("branch")).isEqualTo("refs/pull/12/head");
    }

    @Test
    void hostileValuesAreRefusedBeforeAnyCall() {
        bot(BuildbotClient.anonymous(URI.create("http://127.0.0.1:9/")));
        assertThat(bot.send("alice", "!force quick --pr 12abc")).singleElement().asString()
                .startsWith("--pr must be a pull request number (a positive integer), not \"12abc\"");
        assertThat(bot.send("alice", "!force quick --branch '$(id)'")).singleElement().asString()
                .isEqualTo("--branch \"$(id)\" is not a git branch or ref name");
        assertThat(bot.send("alice", "!force quick --pr 0")).singleElement().asString().contains("positive integer");
        assertThat(bot.send("alice", "!force quick --branch main --pr 3")).singleElement().asString()
                .contains("exactly one of --branch B or --pr N");
        assertThat(bot.send("alice", "!force quick --branch main --revision 'HEAD~1'")).singleElement().asString()
                .contains("--revision must be a commit SHA");
        assertThat(bot.send("alice", "!force quick --pr '1\u2028\u202e2'")).singleElement().asString()
                .startsWith("--pr must be a pull request number (a positive integer), not \"1??2\"");
        assertThat(bot.send("alice", "!force quick --branch 'a\u2029b\ud800'")).singleElement().asString()
                .isEqualTo("--branch \"a?b?\" is not a git branch or ref name");
        assertThat(bot.journal().recent(10, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void unknownBuilderIsOneLineNamingTheBuilders() {
        bot(client());
        assertThat(bot.send("alice", "!force nosuch --branch main")).singleElement().asString()
                .isEqualTo("no builder \"nosuch\" on Buildbot (builders: echo-rev, failing, quick, slow)");
    }

    @Test
    void buildsRunningSeesASlowBuildAndCancelStopsIt() throws InterruptedException {
        bot(client());
        assertThat(bot.send("bob", "!builds running")).containsExactly("Buildbot: nothing running, nothing queued");
        bot.send("alice", "!force slow --branch main");
        bot.awaitLine("started on w1", WAIT);
        List<String> running = bot.send("bob", "!builds running");
        assertThat(String.join("\n", running)).contains("Buildbot: 1 running").contains("slow #")
                .contains(" on w1 for ");
        List<String> cancelling = bot.send("alice", "!cancel 1");
        assertThat(String.join("\n", cancelling)).contains("cancelling force #1");
        bot.awaitLine("force #1 cancelled by", WAIT);
        long end = System.nanoTime() + WAIT.toNanos();
        while (!client().runningBuilds().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertThat(client().runningBuilds()).isEmpty();
    }

    /** The build request id the executor reported for operation {@code op}. */
    private long requestOf(long op) {
        Pattern p = Pattern.compile("build request (\\d+)");
        for (String l : output(op)) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no build request in the output of #" + op + ": " + output(op));
    }

    private List<String> output(long op) {
        return bot.journal().output(new OperationId(op), 0, 1000).stream().map(OutputLine::line).toList();
    }
}
