package org.buildduty.connectors.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.connectors.matrix.MatrixFixture.ALICE;
import static org.buildduty.connectors.matrix.MatrixFixture.ROOM;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.connectors.testing.CommandBot;
import org.buildduty.connectors.testing.FakeMatrixServer;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.InMemoryJournal;

/**
 * A bot that restarts (or a standby that takes over) on the same journal with the stored {@code /sync} position
 * from before an event it already ran as a command: the homeserver delivers the event again, and the bot neither
 * runs nor answers it a second time.
 */
class MatrixReplayTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final FakeExecutor fake = new FakeExecutor("fake");
    private final InMemoryJournal journal = new InMemoryJournal();
    private final List<CommandBot> bots = new ArrayList<>();
    private MatrixFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new MatrixFixture();
    }

    @AfterEach
    void tearDown() {
        bots.forEach(CommandBot::close);
        fx.close();
    }

    private CommandBot start() {
        MatrixConnector c = new MatrixConnector(fx.config().build(), SyncTokenStore.journal(journal, "matrix"),
                fx.ticker, fx.sleeper, () -> 0.5);
        CommandBot bot = CommandBot.start(c, journal, fx.ticker, fake);
        bots.add(bot);
        c.awaitConnected(WAIT);
        return bot;
    }

    private List<String> answers() {
        return fx.hs.sent().stream().map(FakeMatrixServer.Sent::body).filter(b -> b.startsWith("deploy #")).toList();
    }

    @Test
    void anEventDeliveredAgainFromAPositionStoredBeforeItIsNeitherRunNorAnsweredAgain() throws Exception {
        CommandBot first = start();
        fx.settle();
        String before = journal.states(SyncTokenStore.KIND).get("matrix");
        fx.hs.say(ROOM, ALICE, "!deploy");
        first.await(() -> journal.operation(new OperationId(1)).filter(r -> r.state() == OperationState.SUCCEEDED)
                .isPresent(), WAIT, "deploy #1 succeeded");
        fx.settle();
        first.close();
        assertThat(fake.calls()).hasSize(1);
        List<String> said = answers();
        // the crash window: the old instance ran the command, but the position past its event was not stored
        journal.putState(SyncTokenStore.KIND, "matrix", before);

        start();
        fx.hs.say(ROOM, ALICE, "!ping");
        fx.hs.awaitSent(s -> s.body().equals("pong"), WAIT);
        assertThat(fx.hs.requests()).anyMatch(r -> r.target().contains("since=" + before));
        assertThat(journal.operation(new OperationId(2))).as("no second operation").isEmpty();
        assertThat(fake.calls()).hasSize(1);
        assertThat(answers()).as("no second answer").isEqualTo(said);
    }
}
