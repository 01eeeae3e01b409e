package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * Where runbooks start and approvals count: a runbook with {@code rooms:} starts only there, and {@code approve} or
 * {@code deny} count only in the room of the request unless {@code bot.private_approvals} is on, also after a
 * restart (the room is the operation's journaled origin).
 */
class RunbookRoomsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestBot bot;

    @AfterEach
    void tearDown() {
        if (bot != null) {
            bot.close();
        }
    }

    private List<Runbook> runbooks() throws IOException {
        Files.writeString(dir.resolve("deploy.yml"), String.join("\n",
                "name: deploy",
                "alias: deploy",
                "role: anyone",
                "rooms: [\"chat:#releng\", \"other:engineering\"]",
                "steps:",
                "  - name: go",
                "    fake: { note: hi }",
                ""));
        Files.writeString(dir.resolve("gated.yml"), String.join("\n",
                "name: gated",
                "role: anyone",
                "approval: { role: releng, required: 1 }",
                "steps:",
                "  - name: go",
                "    fake: { note: hi }",
                ""));
        return RunbookLoader.loadAll(dir, Set.of("fake"), Inventory.EMPTY);
    }

    private TestBot start(List<Runbook> rbs, InMemoryJournal journal, FakeTicker ticker, boolean privateApprovals) {
        return TestBot.builder().commands(BuiltinCommands::commands).commands(r -> RunbookCommands.register(r, rbs))
                .executor(new FakeExecutor("fake")).role("releng", "alice", "bob").journal(journal).ticker(ticker)
                .privateApprovals(privateApprovals).build();
    }

    @Test
    void aRunbookWithRoomsStartsOnlyThere() throws IOException {
        bot = start(runbooks(), new InMemoryJournal(), new FakeTicker(), false);
        assertThat(bot.sendIn("#ops", "alice", "!run deploy")).containsExactly(
                "not here: deploy starts only in chat:#releng, other:engineering (this is chat:#ops)");
        assertThat(bot.sendIn("alice", "alice", "!deploy")).containsExactly(
                "not here: deploy starts only in chat:#releng, other:engineering (this is chat:alice)");
        assertThat(bot.api().activeOperations()).isEmpty();
        List<String> lines = bot.sendIn("#ReLeng", "alice", "!run deploy");
        assertThat(lines.get(0)).startsWith("deploy #1 started");
        assertThat(bot.send("alice", "!run")).anyMatch(l -> l.startsWith("deploy")
                && l.contains("only in chat:#releng, other:engineering"));
    }

    @Test
    void anApprovalCountsOnlyInTheRoomOfTheRequest() throws IOException {
        bot = start(runbooks(), new InMemoryJournal(), new FakeTicker(), false);
        assertThat(bot.send("alice", "!run gated").get(0)).startsWith("gated #1 by alice");
        String where = "not counted: approve gated #1 in chat:#releng, the room it was requested in (approvals are"
                + " seen by the team; bot.private_approvals is off)";
        assertThat(bot.sendIn("bob", "bob", "!approve 1")).containsExactly(where);
        assertThat(bot.sendIn("#ops", "bob", "!approve 1")).containsExactly(where);
        assertThat(bot.sendIn("bob", "bob", "!deny 1")).containsExactly(where.replace("approve gated", "deny gated"));
        assertThat(bot.api().pendingApproval(new org.buildduty.core.operation.OperationId(1)).orElseThrow()
                .approvedBy()).isEmpty();
        assertThat(bot.send("bob", "!approve 1")).first().asString().startsWith("gated #1 approved by bob; running");
    }

    @Test
    void privateApprovalsCountAnywhereWhenConfigured() throws IOException {
        bot = start(runbooks(), new InMemoryJournal(), new FakeTicker(), true);
        bot.send("alice", "!run gated");
        assertThat(bot.sendIn("bob", "bob", "!approve 1")).first().asString()
                .startsWith("gated #1 approved by bob; running");
    }

    @Test
    void theRoomOfARequestIsStillEnforcedAfterARestart() throws IOException {
        List<Runbook> rbs = runbooks();
        InMemoryJournal journal = new InMemoryJournal();
        FakeTicker ticker = new FakeTicker();
        bot = start(rbs, journal, ticker, false);
        bot.send("alice", "!run gated");
        bot.close();
        bot = start(rbs, journal, ticker, false);
        bot.settle();
        assertThat(bot.sendIn("bob", "bob", "!approve 1")).containsExactly("not counted: approve gated #1 in"
                + " chat:#releng, the room it was requested in (approvals are seen by the team;"
                + " bot.private_approvals is off)");
        List<String> lines = bot.send("bob", "!approve 1");
        assertThat(lines.get(0)).startsWith("gated #1 approved by bob; running");
        bot.awaitLine("succeeded", WAIT);
    }
}
