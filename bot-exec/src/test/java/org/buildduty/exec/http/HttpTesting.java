package org.buildduty.exec.http;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;

/** Shared bits of the HTTP step tests: loopback servers, requests, canned answers. */
final class HttpTesting {
    private HttpTesting() {
    }

    /** A MockWebServer on 127.0.0.1 and a port chosen by the system. */
    static MockWebServer server() throws IOException {
        MockWebServer server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        return server;
    }

    /** {@code http://127.0.0.1:PORT/path} on that server. */
    static String url(MockWebServer server, String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    static ExecRequest request(String kind, Map<String, Object> args, Map<String, String> vars, Duration timeout) {
        StepSpec step = new StepSpec("call", kind, args, List.of(), 1, timeout, null, OnHostFailure.STOP, null);
        return new ExecRequest(new OperationId(7), step, null, timeout, vars);
    }

    static ExecRequest request(Map<String, Object> args) {
        return request("http", args, Map.of(), Duration.ofMinutes(5));
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).build();
    }
}
