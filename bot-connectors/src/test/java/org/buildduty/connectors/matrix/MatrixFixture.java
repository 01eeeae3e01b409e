package org.buildduty.connectors.matrix;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.buildduty.connectors.testing.FakeMatrixServer;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.testing.FakeTicker;

/** A fake homeserver and the connectors a test starts against it, all closed at the end. */
final class MatrixFixture implements AutoCloseable {
    static final String BOT = "@bot:fake.test";
    static final String ALICE = "@alice:fake.test";
    static final String ROOM = "!ops:fake.test";
    static final String TOKEN = "syt_secret_token_4711";

    final FakeMatrixServer hs;
    final FakeTicker ticker = new FakeTicker(Instant.parse("2026-01-02T03:04:05Z"));
    final RecordingSleeper sleeper = new RecordingSleeper();
    final SyncTokenStore store = SyncTokenStore.inMemory();
    private final List<MatrixConnector> started = new ArrayList<>();

    MatrixFixture() throws IOException {
        hs = FakeMatrixServer.start(BOT, TOKEN);
        hs.clock(ticker::now);
        hs.createRoom(ROOM, 5);
    }

    MatrixConfig.Builder config() {
        return MatrixConfig.builder("matrix", hs.url(), BOT).accessToken(TOKEN).rooms(List.of(ROOM))
                .syncTimeout(Duration.ofSeconds(5)).reconnect(Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    /** Starts a connector with the default configuration, waiting for its first sync. */
    MatrixConnector start(RecordingListener l) {
        return start(l, b -> b);
    }

    MatrixConnector start(RecordingListener l, UnaryOperator<MatrixConfig.Builder> tune) {
        MatrixConnector c = startOnly(l, tune);
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    MatrixConnector startOnly(RecordingListener l, UnaryOperator<MatrixConfig.Builder> tune) {
        MatrixConnector c = new MatrixConnector(tune.apply(config()).build(), store, ticker, sleeper, () -> 0.5);
        started.add(c);
        c.start(l);
        return c;
    }

    /** Waits until the connector has synced past everything posted so far. */
    void settle() throws InterruptedException {
        hs.awaitCaughtUp(Duration.ofSeconds(15));
    }

    static boolean connected(RecordingListener l) {
        return l.states().contains(ConnectionChanged.State.CONNECTED);
    }

    @Override
    public void close() {
        started.forEach(MatrixConnector::close);
        hs.close();
    }
}
