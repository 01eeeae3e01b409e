package org.buildduty.commands.buildbot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against canned answers built from the contract fixtures (live captures of Buildbot 3.7). */
class BuildbotClientTest {
    private static final String PASSWORD = "s3cret-pw";
    private final ObjectMapper mapper = new ObjectMapper();
    private MockWebServer server;
    private BuildbotClient client;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        client = BuildbotClient.of(base(), "bot", () -> PASSWORD);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void logsInOnceKeepingTheLastSessionCookieThenReadsBuilders() throws Exception {
        server.enqueue(login());
        server.enqueue(fixture(200, "buildbot_GET_builders.json"));
        server.enqueue(fixture(200, "buildbot_GET_builders.json"));

        assertThat(client.builders()).containsExactly(new Builder(1, "failing"), new Builder(2, "quick"),
                new Builder(3, "slow"));
        assertThat(client.builder("slow")).contains(new Builder(3, "slow"));

        RecordedRequest login = server.takeRequest();
        assertThat(login.getTarget()).isEqualTo("/auth/login");
        assertThat(login.getHeaders().get("Authorization"))
                .isEqualTo(Credentials.basic("bot", PASSWORD, StandardCharsets.UTF_8));
        RecordedRequest get = server.takeRequest();
        assertThat(get.getTarget()).isEqualTo("/api/v2/builders");
        assertThat(get.getHeaders().get("Cookie")).isEqualTo("TWISTED_SESSION=real");
        assertThat(get.getHeaders().get("Authorization")).isNull();
        assertThat(server.takeRequest().getHeaders().get("Cookie")).isEqualTo("TWISTED_SESSION=real");
    }

    @Test
    void forcesByBuilderNamesWithAJsonRpcBody() throws Exception {
        server.enqueue(login());
        server.enqueue(fixture(200, "buildbot_POST_forceschedulers_force_response.json"));

        ForceResult f = client.force("force", "quick", "refs/pull/12/head", "abc123", "say \"hi\"\n");

        assertThat(f).isEqualTo(new ForceResult(1, Map.of(2, 1L)));
        assertThat(f.onlyRequest()).isEqualTo(1);
        server.takeRequest();
        RecordedRequest post = server.takeRequest();
        assertThat(post.getMethod()).isEqualTo("POST");
        assertThat(post.getTarget()).isEqualTo("/api/v2/forceschedulers/force");
        assertThat(post.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode body = mapper.readTree(post.getBody().utf8());
        assertThat(body.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(body.path("method").asText()).isEqualTo("force");
        assertThat(body.has("id")).isTrue();
        assertThat(body.path("params").path("builderNames").toString()).isEqualTo("[\"quick\"]");
        assertThat(body.path("params").path("branch").asText()).isEqualTo("refs/pull/12/head");
        assertThat(body.path("params").path("revision").asText()).isEqualTo("abc123");
        assertThat(body.path("params").path("reason").asText()).isEqualTo("say \"hi\"\n");
        assertThat(body.path("params").has("builderid")).isFalse();
    }

    @Test
    void twoBuildersGiveTwoRequests() {
        server.enqueue(login());
        server.enqueue(fixture(200, "buildbot_POST_forceschedulers_force_response_two_builders.json"));
        ForceResult f = client.force("force", "failing", null, null, null);
        assertThat(f.buildsetId()).isEqualTo(2);
        assertThat(f.requestsByBuilderId()).containsExactly(Map.entry(1, 2L), Map.entry(3, 3L));
        assertThatThrownBy(f::onlyRequest).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void a403LogsInAgainOnceThenSaysWhichRoleIsNeeded() throws Exception {
        server.enqueue(login());
        server.enqueue(fixture(403, "buildbot_POST_forceschedulers_error_403_forbidden.json"));
        server.enqueue(login());
        server.enqueue(fixture(403, "buildbot_POST_forceschedulers_error_403_forbidden.json"));

        assertThatThrownBy(() -> client.force("force", "quick", null, null, null))
                .isInstanceOf(BuildbotException.class)
                .hasMessage("Buildbot refused: you need to have role 'admins'");
        assertThat(server.getRequestCount()).isEqualTo(4);
        assertThat(server.takeRequest().getTarget()).isEqualTo("/auth/login");
        server.takeRequest();
        assertThat(server.takeRequest().getTarget()).isEqualTo("/auth/login");
    }

    @Test
    void invalidParametersListEachFieldMessage() {
        server.enqueue(login());
        server.enqueue(fixture(400, "buildbot_POST_forceschedulers_error_400_invalid_params.json"));
        assertThatThrownBy(() -> client.force("deploy", "quick", null, null, null))
                .hasMessage("Buildbot rejected the parameters: branch: 'branch' needs to be specified; count: invalid"
                        + " literal for int() with base 10: 'abc'; env: 'qa' does not belong to list of available"
                        + " choices '['stage', 'prod']'");
    }

    @Test
    void aKeyErrorForAnUnknownBuilderNamesTheBuilders() {
        server.enqueue(login());
        server.enqueue(fixture(500, "buildbot_POST_forceschedulers_error_500_builder_not_in_scheduler.json"));
        server.enqueue(fixture(200, "buildbot_GET_builders.json"));
        assertThatThrownBy(() -> client.force("force", "nope\nx", null, null, null))
                .hasMessage("no builder \"nope x\" on Buildbot (builders: failing, quick, slow)");
    }

    @Test
    void aKeyErrorForABuilderOfAnotherSchedulerSaysSo() {
        server.enqueue(login());
        server.enqueue(fixture(500, "buildbot_POST_forceschedulers_error_500_builder_not_in_scheduler.json"));
        server.enqueue(fixture(200, "buildbot_GET_builders.json"));
        assertThatThrownBy(() -> client.force("deploy", "slow", null, null, null))
                .hasMessage("Buildbot scheduler \"deploy\" cannot build \"slow\"");
    }

    @Test
    void anUnknownSchedulerAndOtherServerErrorsAreOneLine() {
        server.enqueue(login());
        server.enqueue(fixture(500, "buildbot_POST_forceschedulers_error_500_unknown_scheduler.json"));
        assertThatThrownBy(() -> client.force("nosuch", "quick", null, null, null))
                .hasMessage("no force scheduler \"nosuch\" on Buildbot");

        server.enqueue(fixture(500, "buildbot_POST_forceschedulers_error_500_builder_not_in_scheduler.json"));
        assertThatThrownBy(() -> client.cancelRequest(3, "x"))
                .hasMessage("Buildbot failed: KeyError('builderNames not specified or not supported')");

        server.enqueue(fixture(400, "buildbot_POST_jsonrpc_error_400_content_type.json"));
        assertThatThrownBy(() -> client.cancelRequest(3, "x"))
                .hasMessage("Buildbot answered 400: Invalid content-type (use application/json)");

        server.enqueue(new MockResponse.Builder().code(502).body("<html>bad gateway</html>").build());
        assertThatThrownBy(client::runningBuilds).isInstanceOf(BuildbotUnreachableException.class)
                .hasMessage("Buildbot at " + client.baseUrl() + " is not reachable: answered 502");
        server.enqueue(new MockResponse.Builder().code(501).body("<html>no</html>").build());
        assertThatThrownBy(client::runningBuilds).isNotInstanceOf(BuildbotUnreachableException.class)
                .hasMessage("Buildbot answered HTTP 501");
    }

    @Test
    void restErrorsCarryTheirText() {
        server.enqueue(login());
        server.enqueue(fixture(404, "buildbot_GET_error_404_not_found.json"));
        assertThatThrownBy(() -> client.buildRequest(99)).hasMessage("Buildbot answered 404: Invalid path: nosuch");
        server.enqueue(fixture(400, "buildbot_GET_error_400_bad_query.json"));
        assertThatThrownBy(client::queuedRequests)
                .hasMessage("Buildbot answered 400: unrecognized query parameter 'nosuchfield'");
    }

    @Test
    void readsRequestsBuildsAndWorkers() throws Exception {
        server.enqueue(login());
        server.enqueue(fixture(200, "buildbot_GET_buildrequests_complete_false.json"));
        server.enqueue(fixture(200, "buildbot_GET_builds_complete_false.json"));
        server.enqueue(fixture(200, "buildbot_GET_workers.json"));
        server.enqueue(fixture(200, "buildbot_GET_builds_id_cancelled.json"));
        server.enqueue(fixture(200, "buildbot_GET_buildrequests.json"));

        assertThat(client.queuedRequests()).first().isEqualTo(new BuildRequest(5, 4, 3, true, false, null,
                Instant.ofEpochSecond(1795238842)));
        assertThat(client.runningBuilds()).containsExactly(new Build(3, 1, 3, 3, 1,
                Instant.ofEpochSecond(1795238806), false, null, null, "building"));
        assertThat(client.workers()).containsExactly(Map.entry(1, "w1"));
        Build cancelled = client.buildsOfRequest(3).get(0);
        assertThat(cancelled.results()).isEqualTo(Results.CANCELLED.code());
        assertThat(cancelled.url(URI.create("http://bb:8010"))).isEqualTo("http://bb:8010/#/builders/3/builds/1");
        assertThat(client.buildRequest(3)).satisfies(r -> {
            assertThat(r.complete()).isFalse();
            assertThat(r.results()).isNull();
        });

        server.takeRequest();
        assertThat(server.takeRequest().getTarget())
                .isEqualTo("/api/v2/buildrequests?complete=false&claimed=false&order=buildrequestid");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/api/v2/builds?complete=false&order=buildid");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/api/v2/workers");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/api/v2/builds?buildrequestid=3&order=buildid");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/api/v2/buildrequests/3");
    }

    @Test
    void readsPropertiesAndCancelsByJsonRpc() throws Exception {
        server.enqueue(login());
        server.enqueue(fixture(200, "buildbot_GET_builds_id_property_all.json"));
        server.enqueue(fixture(200, "buildbot_POST_buildrequests_id_cancel_response.json"));

        assertThat(client.buildProperties(1)).containsEntry("branch", "main").containsEntry("buildnumber", "1")
                .containsEntry("owners", "[\"bot\"]");
        client.cancelRequest(30, "stop it");

        server.takeRequest();
        assertThat(server.takeRequest().getTarget()).isEqualTo("/api/v2/builds/1?property=*");
        RecordedRequest cancel = server.takeRequest();
        assertThat(cancel.getTarget()).isEqualTo("/api/v2/buildrequests/30");
        JsonNode body = mapper.readTree(cancel.getBody().utf8());
        assertThat(body.path("method").asText()).isEqualTo("cancel");
        assertThat(body.path("params").path("reason").asText()).isEqualTo("stop it");
    }

    @Test
    void aRefusedLoginNeverShowsThePassword() {
        server.enqueue(new MockResponse.Builder().code(401).body("no").build());
        assertThatThrownBy(client::builders).isInstanceOf(BuildbotException.class)
                .hasMessage("Buildbot refused the login as bot: 401 Client Error")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aClosedPortIsNotReachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BuildbotClient closed = BuildbotClient.of(URI.create("http://127.0.0.1:" + port), "bot", () -> PASSWORD);
        assertThatThrownBy(closed::runningBuilds).isInstanceOf(BuildbotException.class)
                .hasMessage("Buildbot at http://127.0.0.1:" + port + "/ is not reachable: connection refused");
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/");
    }

    /** The answer Buildbot gives to a login: 302 setting an anonymous session, then the real one. */
    private static MockResponse login() {
        return new MockResponse.Builder().code(302).addHeader("Location", "/#/")
                .addHeader("Set-Cookie", "TWISTED_SESSION=anonymous; Path=/")
                .addHeader("Set-Cookie", "TWISTED_SESSION=real; Path=/").build();
    }

    static MockResponse fixture(int code, String name) {
        try (InputStream in = BuildbotClientTest.class.getResourceAsStream("/buildbot/contract/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new MockResponse.Builder().code(code).addHeader("Content-Type", "text/plain; charset=utf-8")
                    .body(new String(in.readAllBytes(), StandardCharsets.UTF_8)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
