package org.buildduty.commands.mbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.commands.testing.FakeMbs;
import org.buildduty.core.testing.FakeTicker;

class MbsClientTest {
    private static final String TOKEN = "oidc-secret-token-1";

    private final FakeTicker ticker = new FakeTicker();
    private FakeMbs mbs;
    private MbsClient client;

    @BeforeEach
    void start() throws IOException {
        mbs = FakeMbs.start(ticker, TOKEN);
        client = client(mbs.url(), () -> TOKEN, 30);
    }

    @AfterEach
    void stop() {
        mbs.close();
    }

    private MbsClient client(URI url, Supplier<String> token, int readSeconds) {
        OkHttpClient http = new OkHttpClient.Builder().readTimeout(readSeconds, TimeUnit.SECONDS).build();
        return new MbsClient(http, url, token, MbsClient.KOJI_TASKS, ticker, Duration.ofSeconds(5));
    }

    @Test
    void theRecordedPayloadsAreReadLeniently() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            server.enqueue(fixture("mbs_GET_module-builds_id_verbose_ready.json"));
            server.enqueue(fixture("mbs_GET_module-builds_id_verbose_wait.json"));
            server.enqueue(fixture("mbs_GET_module-builds_list.json"));
            MbsClient c = client(server.url("/").uri(), null, 5);

            ModuleBuild ready = c.fetch(1);
            assertThat(ready.state()).isEqualTo(5);
            assertThat(ready.stateName()).isEqualTo("ready");
            assertThat(ready.terminal()).isTrue();
            assertThat(ready.nameStream()).isEqualTo("testmodule-f26");
            assertThat(ready.kojiTag()).isEqualTo("module-testmodule-f26-20170803183327");
            assertThat(ready.components()).containsOnlyKeys("ed", "module-build-macros");
            ComponentTask ed = ready.components().get("ed");
            assertThat(ed.taskId()).isEqualTo(3L);
            assertThat(ed.label()).isEqualTo("COMPLETE");
            assertThat(ed.nvr()).isEqualTo("ed-1.14.1-2.module_32c779cd.src.rpm");
            assertThat(ready.builtCount()).isEqualTo(2);
            assertThat(server.takeRequest().getUrl().encodedPath())
                    .isEqualTo("/module-build-service/1/module-builds/1");

            ModuleBuild waiting = c.fetch(1);
            assertThat(waiting.stateName()).isEqualTo("wait");
            assertThat(waiting.cancellable()).isTrue();
            assertThat(waiting.components().get("ed").label()).isEqualTo("undefined");
            assertThat(waiting.components().get("ed").taskId()).isNull();
            assertThat(waiting.completed()).isNull();

            assertThat(c.active(30)).singleElement().satisfies(b -> assertThat(b.owner()).isNotBlank());
            server.takeRequest();
            assertThat(server.takeRequest().getUrl().queryParameterValues("state"))
                    .containsExactly("init", "wait", "build");
        }
    }

    @Test
    void aMissingStateNameComesFromTheNumber() {
        assertThat(ModuleBuild.stateName(2)).isEqualTo("build");
        assertThat(ModuleBuild.stateName(6)).isEqualTo("garbage");
        assertThat(ComponentTask.label(4)).isEqualTo("CANCELED");
        assertThat(ComponentTask.label(null)).isEqualTo("undefined");
    }

    @Test
    void readsOfOneBuildAreSharedWithinTheCacheAge() {
        FakeMbs.FakeBuild b = mbs.submit("shared-userspace", "f26", "psabata", "ed", "pth");
        assertThat(client.build(b.id()).stateName()).isEqualTo("wait");
        b.state("build", null).component("ed", 0);
        assertThat(client.build(b.id()).stateName()).isEqualTo("wait");
        assertThat(mbs.reads(b.id())).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(6));
        ModuleBuild now = client.build(b.id());
        assertThat(now.stateName()).isEqualTo("build");
        assertThat(now.components().get("ed").label()).isEqualTo("BUILDING");
        assertThat(now.components().get("ed").taskId()).isEqualTo(b.taskId("ed"));
        assertThat(mbs.reads(b.id())).isEqualTo(2);
        assertThat(client.fetch(b.id()).id()).isEqualTo(b.id());
        assertThat(mbs.reads(b.id())).isEqualTo(3);
        assertThat(client.requests()).isEqualTo(3);
    }

    @Test
    void theActiveListIsPagedNewestFirstAndSkipsFinishedBuilds() {
        for (int i = 0; i < 130; i++) {
            FakeMbs.FakeBuild b = mbs.submit("m" + i, "main", "alice", "a");
            if (i % 10 == 0) {
                b.state("ready", null);
            }
        }
        var active = client.active(200);
        assertThat(active).hasSize(117);
        assertThat(active.get(0).name()).isEqualTo("m129");
        assertThat(active).noneMatch(ModuleBuild::terminal);
        assertThat(client.active(30)).hasSize(30);
    }

    @Test
    void cancelSendsTheTokenAndShowsWhyMbsRefuses() {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "alice", "ed");
        ModuleBuild cancelled = client.cancel(b.id());
        assertThat(cancelled.stateName()).isEqualTo("failed");
        assertThat(cancelled.stateReason()).isEqualTo("Canceled by buildduty.");
        assertThat(mbs.patches()).containsExactly("{\"state\":\"failed\"}");

        assertThatThrownBy(() -> client.cancel(b.id())).isInstanceOf(MbsException.class).hasMessage(
                "MBS refused (400): To cancel a module build, it must be in one of the following states: "
                        + "build, init, wait");
        assertThatThrownBy(() -> client(mbs.url(), () -> "stale", 5).cancel(b.id()))
                .hasMessage("MBS refused (401): OIDC token invalid or expired.")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("stale"));
        assertThatThrownBy(() -> client(mbs.url(), null, 5).cancel(b.id()))
                .hasMessageStartingWith("no MBS token is configured");
    }

    @Test
    void failuresAreOneLine() throws IOException {
        assertThatThrownBy(() -> client.build(999)).isInstanceOf(MbsException.class)
                .hasMessage("MBS has no module build 999 (No such module found.)")
                .satisfies(e -> assertThat(((MbsException) e).transientFailure()).isFalse());
        mbs.failNext(1, 500);
        assertThatThrownBy(() -> client.fetch(1)).hasMessageStartingWith("MBS failed (500): The server encountered")
                .satisfies(e -> assertThat(((MbsException) e).transientFailure()).isTrue());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        URI gone = URI.create("http://127.0.0.1:" + port + "/");
        assertThatThrownBy(() -> client(gone, null, 5).build(1))
                .hasMessage("MBS at http://127.0.0.1:" + port + "/ is not reachable: connection refused");
        FakeMbs.FakeBuild b = mbs.submit("slow", "main", "bob");
        mbs.stallNext(1, Duration.ofMillis(1500));
        assertThatThrownBy(() -> client(mbs.url(), null, 1).fetch(b.id()))
                .hasMessageEndingWith("is not reachable: timed out")
                .satisfies(e -> assertThat(((MbsException) e).transientFailure()).isTrue());
    }

    @Test
    void scheduledChangesApplyAsTimePasses() {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "alice", "ed", "pth");
        b.at(ticker.now().plusSeconds(60), x -> x.state("build", null).component("ed", 0))
                .at(ticker.now().plusSeconds(120), x -> x.component("ed", 3).component("pth", 1).state("failed",
                        "Component(s) ed failed to build."));
        assertThat(client.fetch(b.id()).stateName()).isEqualTo("wait");
        ticker.advance(Duration.ofSeconds(61));
        assertThat(client.fetch(b.id()).components().get("ed").label()).isEqualTo("BUILDING");
        ticker.advance(Duration.ofSeconds(60));
        ModuleBuild end = client.fetch(b.id());
        assertThat(end.stateName()).isEqualTo("failed");
        assertThat(end.components().get("ed").failed()).isTrue();
        assertThat(end.stateReason()).isEqualTo("Component(s) ed failed to build.");
    }

    private static MockResponse fixture(String name) throws IOException {
        try (InputStream in = MbsClientTest.class.getResourceAsStream("/mbs/" + name)) {
            return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(new String(in.readAllBytes(), StandardCharsets.UTF_8)).build();
        }
    }
}
