package org.buildduty.connectors.zulip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.connectors.testing.CommandBot;
import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

/**
 * A bot that restarts (or a standby that takes over) on the same journal with the stored last message id from
 * before a message it already ran as a command: the catch-up fetches the message again, and the bot neither runs
 * nor answers it a second time.
 */
class ZulipReplayTest {
    private static final String KEY = "s3cr3t-api-key-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final FakeTicker ticker = new FakeTicker();
    private final FakeExecutor fake = new FakeExecutor("fake");
    private final InMemoryJournal journal = new InMemoryJournal();
    private final List<CommandBot> bots = new ArrayList<>();
    private FakeZulipServer server;

    @BeforeEach
    void setUp() throws Exception {
        server = FakeZulipServer.start("bot@example.com", KEY, "buildduty", ticker);
        server.heartbeatAfter(Duration.ofMillis(100));
        server.addUser("alice@example.com", "Alice Adams");
        server.addStream("ops");
        server.subscribeBot("ops");
    }

    @AfterEach
    void tearDown() throws Exception {
        bots.forEach(CommandBot::close);
        server.close();
    }

    private CommandBot start() {
        ZulipConnector c = new ZulipConnector(ZulipConfig.of("zulip", server.site(), "bot@example.com", KEY,
                List.of("ops")), LastMessageStore.journal(journal), ticker, new RecordingSleeper());
        CommandBot bot = CommandBot.start(c, journal, ticker, fake);
        bots.add(bot);
        c.awaitConnected(WAIT);
        return bot;
    }

    private List<String> answers() {
        return server.botMessages().stream().map(FakeZulipServer.Message::content)
                .filter(b -> b.startsWith("deploy #")).toList();
    }

    @Test
    void aMessageFetchedAgainFromALastIdStoredBeforeItIsNeitherRunNorAnsweredAgain() throws Exception {
        CommandBot first = start();
        String before = journal.states(LastMessageStore.KIND).get("zulip");
        assertThat(before).isNotNull();
        long m1 = server.postStream("alice@example.com", "ops", "t", "!deploy");
        first.await(() -> journal.operation(new OperationId(1)).filter(r -> r.state() == OperationState.SUCCEEDED)
                .isPresent(), WAIT, "deploy #1 succeeded");
        first.await(() -> journal.states(LastMessageStore.KIND).get("zulip").contains(Long.toString(m1)), WAIT,
                "message " + m1 + " stored as handled");
        first.close();
        assertThat(fake.calls()).hasSize(1);
        List<String> said = answers();
        // the crash window: the old instance ran the command, but the id of its message was not stored
        journal.putState(LastMessageStore.KIND, "zulip", before);

        start();
        server.postStream("alice@example.com", "ops", "t", "!ping");
        server.awaitMessage(m -> m.content().equals("pong"), WAIT);
        assertThat(server.calls()).anyMatch(c -> "GET".equals(c.method()) && c.path().endsWith("/messages"));
        assertThat(journal.operation(new OperationId(2))).as("no second operation").isEmpty();
        assertThat(fake.calls()).hasSize(1);
        assertThat(answers()).as("no second answer").isEqualTo(said);
    }
}
