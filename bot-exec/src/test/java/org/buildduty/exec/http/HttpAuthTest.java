package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.exec.http.HttpTesting.json;
import static org.buildduty.exec.http.HttpTesting.request;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingExecContext;

/** Credentials: Buildbot-style sessions, bearer and basic, and where they may be sent. */
class HttpAuthTest {
    private static final String PASSWORD = "pw-s3cret-1";
    private static final String TOKEN = "tok-s3cret-2";

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingExecContext context = new RecordingExecContext();
    private MockWebServer server;
    private MockWebServer other;

    @BeforeEach
    void start() throws Exception {
        server = HttpTesting.server();
        other = HttpTesting.server();
    }

    @AfterEach
    void stop() {
        server.close();
        other.close();
    }

    private String url(String path) {
        return HttpTesting.url(server, path);
    }

    private HttpExecutor executor(HttpCredential... credentials) {
        return new HttpExecutor(HttpExecutor.defaultClient(), HttpCredentials.of(List.of(credentials)),
                new FakeSleeper(ticker), ticker);
    }

    private HttpCredential session() {
        return HttpCredential.session("buildbot", URI.create(url("/")), "bot", () -> PASSWORD,
                URI.create(url("/auth/login")));
    }

    /** A Buildbot-like master: login sets two session cookies (the last is the real one); POSTs need it. */
    private static final class Buildbot extends Dispatcher {
        final AtomicInteger logins = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<String> valid = new AtomicReference<>("real-1");
        volatile String issue = "real-1";

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getUrl().encodedPath().equals("/auth/login")) {
                logins.incrementAndGet();
                if (!Credentials.basic("bot", PASSWORD, StandardCharsets.UTF_8)
                        .equals(request.getHeaders().get("Authorization"))) {
                    return json(401, "{\"error\": \"bad credentials\"}");
                }
                return new MockResponse.Builder().code(302).addHeader("Location", "/#/")
                        .addHeader("Set-Cookie", "TWISTED_SESSION=anon-0; Path=/")
                        .addHeader("Set-Cookie", "TWISTED_SESSION=" + issue + "; Path=/").build();
            }
            calls.incrementAndGet();
            if (request.getHeaders().get("Authorization") != null) {
                return json(400, "{\"error\": \"basic auth on an API call\"}");
            }
            if (!("TWISTED_SESSION=" + valid.get()).equals(request.getHeaders().get("Cookie"))) {
                return json(403, "{\"error\": \"you need to have role 'admins'\"}");
            }
            return json(200, "{\"result\": [1, {\"2\": 5}]}");
        }
    }

    private static ExecRequest force(String url, long op) {
        StepSpec step = StepSpec.of("force", "http", Map.of("method", "POST", "url", url, "auth", "buildbot",
                "body", Map.of("jsonrpc", "2.0", "method", "force", "id", 1, "params", Map.of()),
                "keep", Map.of("brid", "$.result[1]['2']")));
        return new ExecRequest(new OperationId(op), step, null, Duration.ofMinutes(1));
    }

    @Test
    void sessionLogsInOnceKeepsTheLastCookieAndIsSharedAcrossOperations() {
        Buildbot master = new Buildbot();
        server.setDispatcher(master);
        HttpExecutor http = executor(session());

        StepResult first = http.execute(force(url("/api/v2/forceschedulers/force"), 1), context);
        StepResult second = http.execute(force(url("/api/v2/forceschedulers/force"), 2), context);

        assertThat(first.outcome()).as(first.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(first.kept()).containsEntry("brid", "5");
        assertThat(second.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(master.logins).hasValue(1);
        assertThat(master.calls).hasValue(2);
        assertThat(context.lines()).contains("INFO logged in to " + url("/auth/login") + " as bot (302 Found)");
        assertNoSecrets("anon-0", "real-1");
    }

    @Test
    void sessionLogsInAgainOnceWhenRefused() {
        Buildbot master = new Buildbot();
        server.setDispatcher(master);
        HttpExecutor http = executor(session());
        assertThat(http.execute(force(url("/api/v2/x"), 1), context).outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        master.valid.set("real-2");
        master.issue = "real-2";

        StepResult again = http.execute(force(url("/api/v2/x"), 2), context);
        master.valid.set("never");
        StepResult refused = http.execute(force(url("/api/v2/x"), 3), context);

        assertThat(again.outcome()).as(again.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(refused.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(refused.reason()).isEqualTo("HTTP 403 Forbidden (expected 2xx)");
        assertThat(refused.lastLine()).isEqualTo("{\"error\": \"you need to have role 'admins'\"}");
        assertThat(master.logins).hasValue(3);
        assertThat(master.calls).hasValue(5);
        assertNoSecrets("real-1", "real-2");
    }

    @Test
    void refusedLoginFailsWithTheLoginUrl() {
        server.setDispatcher(new Buildbot());
        HttpExecutor http = executor(HttpCredential.session("buildbot", URI.create(url("/")), "bot", () -> "wrong",
                URI.create(url("/auth/login"))));

        StepResult r = http.execute(force(url("/api/v2/x"), 1), context);

        assertThat(r.reason()).isEqualTo("HTTP 401 Unauthorized from login to " + url("/auth/login")
                + " (expected 2xx)");
        assertThat(String.join("\n", context.lines())).doesNotContain("wrong");
    }

    @Test
    void bearerAndBasicHeadersAreSentButNeverShown() throws Exception {
        server.enqueue(json(200, "{}"));
        server.enqueue(json(500, "{\"error\": \"boom\"}"));
        HttpExecutor http = executor(HttpCredential.bearer("mbs", URI.create(url("/module-build-service/")),
                () -> TOKEN), HttpCredential.basic("zulip", URI.create(url("")), "bot@example.org", () -> PASSWORD));

        StepResult bearer = http.execute(request(Map.of("method", "PATCH", "url",
                url("/module-build-service/1/module-builds/42"), "body", "{\"state\":\"failed\"}", "auth", "mbs")),
                context);
        StepResult basic = http.execute(request(Map.of("method", "POST", "url", url("/api/v1/messages"),
                "auth", "zulip")), context);

        assertThat(bearer.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(basic.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization"))
                .isEqualTo("Bearer " + TOKEN);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization"))
                .isEqualTo(Credentials.basic("bot@example.org", PASSWORD, StandardCharsets.UTF_8));
        assertNoSecrets();
    }

    @Test
    void credentialIsRefusedForAnotherOriginOrPath() {
        HttpExecutor http = executor(HttpCredential.bearer("mbs", URI.create(url("/module-build-service/")),
                () -> TOKEN));

        StepResult port = http.execute(request(Map.of("url", HttpTesting.url(other, "/module-build-service/1"),
                "auth", "mbs")), context);
        StepResult path = http.execute(request(Map.of("url", url("/admin/x"), "auth", "mbs")), context);
        StepResult host = http.execute(request(Map.of("url", url("/module-build-service/1")
                .replace("127.0.0.1", "localhost"), "auth", "mbs")), context);

        assertThat(port.reason()).isEqualTo("credential mbs is for " + url("/module-build-service/") + ", not "
                + HttpTesting.url(other, "/module-build-service/1"));
        assertThat(path.reason()).isEqualTo("credential mbs is for " + url("/module-build-service/") + ", not "
                + url("/admin/x"));
        assertThat(host.reason()).startsWith("credential mbs is for ").contains(", not http://localhost:");
        assertThat(server.getRequestCount() + other.getRequestCount()).isZero();
    }

    @Test
    void aRedirectElsewhereDoesNotCarryTheCredential() throws Exception {
        server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", url("/api/next")).build());
        server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", HttpTesting.url(other, "/landing"))
                .build());
        other.enqueue(json(200, "{}"));
        HttpExecutor http = executor(HttpCredential.bearer("api", URI.create(url("/api")), () -> TOKEN));

        StepResult r = http.execute(request(Map.of("url", url("/api/start"), "auth", "api")), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization")).isEqualTo("Bearer "
                + TOKEN);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization")).isEqualTo("Bearer "
                + TOKEN);
        assertThat(other.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization")).isNull();
    }

    @Test
    void credentialsKeepTheirSecretsOutOfToStringAndCheckTheirShape() {
        HttpCredential c = session();
        assertThat(c.toString()).contains("buildbot", "SESSION", "bot").doesNotContain(PASSWORD);
        assertThat(HttpCredential.bearer("t", URI.create("https://h/"), () -> TOKEN).toString())
                .doesNotContain(TOKEN);
        assertThatThrownBy(() -> HttpCredential.basic("b", URI.create("https://h/"), null, () -> "x"))
                .hasMessage("credential b: basic needs a user");
        assertThatThrownBy(() -> HttpCredential.bearer("b", URI.create("ftp://h/"), () -> "x"))
                .hasMessage("credential b: baseUrl must be an http or https URL with a host");
        assertThatThrownBy(() -> HttpCredentials.of(List.of(c, c))).hasMessage("two HTTP credentials named buildbot");
        HttpCredential api = HttpCredential.bearer("a", URI.create("https://Api.example.org/v1"), () -> "x");
        assertThat(api.covers(URI.create("https://api.example.org:443/v1/builds"))).isTrue();
        assertThat(api.covers(URI.create("https://api.example.org/v1"))).isTrue();
        assertThat(api.covers(URI.create("https://api.example.org/v10"))).isFalse();
        assertThat(api.covers(URI.create("http://api.example.org/v1/x"))).isFalse();
        assertThat(api.covers(URI.create("https://api.example.org:8443/v1/x"))).isFalse();
        assertThat(api.covers(URI.create("https://evil.example.org/v1/x"))).isFalse();
    }

    @Test
    void missingSecretFailsClearly() {
        HttpExecutor http = executor(HttpCredential.bearer("mbs", URI.create(url("/")), () -> null));

        StepResult r = http.execute(request(Map.of("url", url("/x"), "auth", "mbs")), context);

        assertThat(r.reason()).isEqualTo("credential mbs has no secret (is its environment variable set?)");
        assertThat(server.getRequestCount()).isZero();
    }

    private void assertNoSecrets(String... more) {
        String out = String.join("\n", context.lines());
        assertThat(out).doesNotContain(PASSWORD, TOKEN, "Authorization", "Cookie", "Bearer", "Basic ",
                Credentials.basic("bot", PASSWORD, StandardCharsets.UTF_8).substring(6));
        for (String m : more) {
            assertThat(out).doesNotContain(m);
        }
    }
}
