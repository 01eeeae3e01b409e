package org.buildduty.exec.testing;

import java.io.IOException;
import java.net.InetAddress;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Fake HTTP servers in one line: a {@link MockWebServer} answering every request with a handler, on 127.0.0.1. */
public final class LoopbackHttp {
    /** The answer to one request. */
    @FunctionalInterface
    public interface Handler {
        MockResponse handle(RecordedRequest request) throws InterruptedException;
    }

    private LoopbackHttp() {
    }

    /** A dispatcher that answers every request with {@code handler}. */
    public static Dispatcher dispatcher(Handler handler) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                return handler.handle(request);
            }
        };
    }

    /** Starts {@code server} on 127.0.0.1 at a free port, answering every request with {@code handler}. */
    public static void start(MockWebServer server, Handler handler) throws IOException {
        server.setDispatcher(dispatcher(handler));
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }
}
