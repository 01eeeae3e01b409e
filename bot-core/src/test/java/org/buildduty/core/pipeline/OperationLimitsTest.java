package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.TestBot;

/** Chat cannot create operations and pending approvals without bound: a refusal is one line and creates nothing. */
class OperationLimitsTest {
    private static final String PENDING_LIMIT = "refused: you have 5 requests waiting for approval "
            + "(bot.max_pending_approvals is 5); cancel one (!cancel <id>) or wait until one is approved, denied or "
            + "expires";
    private static final String LIVE_LIMIT = "refused: 20 operations are live (bot.max_live_operations is 20); "
            + "cancel one (!cancel <id>; !ops lists them) or wait for one to end";

    private final FakeExecutor fake = new FakeExecutor("fake").byDefault(FakeExecutor.script().await("go").succeed());
    private TestBot bot;

    @AfterEach
    void stop() {
        fake.release("go");
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot start(TestBot.Builder b) {
        bot = b.commands(EngineTest::commands).executor(fake).role("releng", "alice", "bob", "carol", "dave", "erin")
                .build();
        return bot;
    }

    private List<OperationRecord> journaled() {
        return bot.journal().recent(1000, Long.MAX_VALUE);
    }

    private static Identity chat(String principal) {
        return new Identity(TestBot.CHAT, principal);
    }

    @Test
    void aSixthPendingRequestOfOneRequesterIsRefusedAndCreatesNothing() {
        start(TestBot.builder());
        for (int i = 1; i <= 5; i++) {
            assertThat(bot.send("alice", "!deploy")).singleElement().asString()
                    .startsWith("deploy #" + i + " by alice");
        }
        assertThat(bot.send("alice", "!deploy")).containsExactly(PENDING_LIMIT);
        assertThat(journaled()).hasSize(5);
        assertThat(bot.api().activeOperations()).hasSize(5);

        assertThat(bot.send("bob", "!deploy")).singleElement().asString().startsWith("deploy #6 by bob");
        bot.api().cancel(new OperationId(1), chat("alice"));
        // the refused request took no id
        assertThat(bot.send("alice", "!deploy")).singleElement().asString().startsWith("deploy #7 by alice");
    }

    @Test
    void liveOperationsAreCappedWhoeverAsks() {
        start(TestBot.builder());
        for (String who : List.of("alice", "bob", "carol", "dave")) {
            for (int i = 0; i < 5; i++) {
                assertThat(bot.send(who, "!deploy")).singleElement().asString().contains(" by " + who);
            }
        }
        assertThat(bot.send("erin", "!quick")).containsExactly(LIVE_LIMIT);
        assertThat(bot.send("erin", "!deploy")).containsExactly(LIVE_LIMIT);
        assertThat(journaled()).hasSize(20);
        assertThat(fake.calls()).isEmpty();

        bot.api().cancel(new OperationId(3), chat("alice"));
        assertThat(bot.send("erin", "!quick")).anyMatch(l -> l.startsWith("quick #21 started"));
    }

    @Test
    void runningOperationsCountAsLive() throws InterruptedException {
        start(TestBot.builder().limits(2, 5));
        assertThat(bot.send("erin", "!quick")).anyMatch(l -> l.startsWith("quick #1 started"));
        fake.awaitCalls(1, Duration.ofSeconds(10));
        assertThat(bot.send("erin", "!quick")).anyMatch(l -> l.startsWith("quick #2 started"));
        fake.awaitCalls(2, Duration.ofSeconds(10));
        assertThat(bot.send("alice", "!quick")).contains("refused: 2 operations are live "
                + "(bot.max_live_operations is 2); cancel one (!cancel <id>; !ops lists them) or wait for one to end")
                .noneMatch(l -> l.contains("#3"));
        assertThat(journaled()).hasSize(2);

        fake.release("go");
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!bot.api().activeOperations().isEmpty() && System.nanoTime() < end) {
            bot.settle();
            Thread.sleep(5);
        }
        assertThat(bot.api().activeOperations()).isEmpty();
        assertThat(bot.send("alice", "!quick")).anyMatch(l -> l.startsWith("quick #3 started"));
    }

    @Test
    void pendingApprovalsAreCountedPerPerson() {
        start(TestBot.builder().limits(20, 2).person("alice", "alice", "alice-phone").role("releng", "alice-phone"));
        assertThat(bot.send("alice", "!deploy")).singleElement().asString().startsWith("deploy #1 by alice");
        assertThat(bot.send("alice-phone", "!deploy")).singleElement().asString().startsWith("deploy #2 by");
        assertThat(bot.send("alice-phone", "!deploy")).containsExactly("refused: you have 2 requests waiting for "
                + "approval (bot.max_pending_approvals is 2); cancel one (!cancel <id>) or wait until one is "
                + "approved, denied or expires");
        assertThat(bot.send("bob", "!deploy")).singleElement().asString().startsWith("deploy #3 by bob");
    }
}
