package org.buildduty.exec.http;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingExecContext;

/**
 * What the http and wait_until step tests share: an {@link HttpExecutor} on a fake clock and sleeper, a recording
 * context, and a fresh loopback {@link MockWebServer} for each test.
 */
abstract class HttpStepFixture {
    final FakeTicker ticker = new FakeTicker();
    final FakeSleeper sleeper = new FakeSleeper(ticker);
    final HttpExecutor http = new HttpExecutor(HttpExecutor.defaultClient(), HttpCredentials.none(), sleeper, ticker);
    final RecordingExecContext context = new RecordingExecContext();
    MockWebServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpTesting.server();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** {@code http://127.0.0.1:PORT/path} on this test's server. */
    String url(String path) {
        return HttpTesting.url(server, path);
    }
}
