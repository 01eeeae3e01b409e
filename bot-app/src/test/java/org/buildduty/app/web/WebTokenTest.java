package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.TestBot;

class WebTokenTest {
    private static final String TOKEN = "read-t0ken-42";
    private PageFixture f;
    private OperationId id;

    @BeforeEach
    void start() {
        f = new PageFixture(s -> s.withToken(TOKEN));
        id = f.runToEnd("alice", "!quick");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private List<String> guarded() {
        return List.of("/", "/?before=5", "/ops/" + id.value(), "/ops/" + id.value() + "/events",
                "/ops/" + id.value() + "/log", "/metrics", "/ops/999");
    }

    @Test
    void withoutTheTokenEveryPageButHealthzIs401() {
        for (String path : guarded()) {
            HttpResponse<String> r = f.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).as(path).doesNotContain("quick").doesNotContain(TOKEN);
        }
        assertThat(f.get("/", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(f.get("/", "Cookie", TokenGate.COOKIE + "=wrong").statusCode()).isEqualTo(401);
        assertThat(f.get("/?token=wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> health = f.get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).doesNotContain(TOKEN);
        assertThat(f.get("/static/ops.js").statusCode()).isEqualTo(200);
    }

    @Test
    void aBearerTokenOpensEveryPage() {
        for (String path : guarded()) {
            HttpResponse<String> r = f.get(path, "Authorization", "Bearer " + TOKEN);
            assertThat(r.statusCode()).as(path).isEqualTo(path.equals("/ops/999") ? 404 : 200);
            assertThat(r.body()).as(path).doesNotContain(TOKEN);
        }
    }

    @Test
    void visitingOnceWithTheTokenSetsAStrictHttpOnlySessionCookieAndDropsItFromTheAddress() {
        HttpResponse<String> r = f.get("/ops/" + id.value() + "?token=" + TOKEN + "&x=1");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).contains("/ops/" + id.value() + "?x=1");
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(TokenGate.COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Path=/").doesNotContain("Secure");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        for (String path : guarded()) {
            assertThat(f.get(path, "Cookie", pair).statusCode()).as(path).isEqualTo(path.equals("/ops/999") ? 404
                    : 200);
        }
        assertThat(f.get("/?token=" + TOKEN).headers().firstValue("Location")).contains("/");
    }

    @Test
    void theCookieHoldsAnOpaqueSessionIdNeverTheToken() {
        String first = f.get("/?token=" + TOKEN).headers().firstValue("Set-Cookie").orElseThrow();
        String second = f.get("/?token=" + TOKEN).headers().firstValue("Set-Cookie").orElseThrow();
        String id1 = first.substring(first.indexOf('=') + 1, first.indexOf(';'));
        String id2 = second.substring(second.indexOf('=') + 1, second.indexOf(';'));
        assertThat(first).doesNotContain(TOKEN).doesNotContain(URLEncoder.encode(TOKEN, StandardCharsets.UTF_8));
        assertThat(id1).hasSizeGreaterThanOrEqualTo(40).isNotEqualTo(id2).matches("[A-Za-z0-9_-]+");
        // a cookie holding the token itself (as before) or a made-up id opens nothing
        assertThat(f.get("/", "Cookie", TokenGate.COOKIE + "=" + TOKEN).statusCode()).isEqualTo(401);
        assertThat(f.get("/", "Cookie", "buildduty_token=" + TOKEN).statusCode()).isEqualTo(401);
        assertThat(f.get("/", "Cookie", TokenGate.COOKIE + "=" + id1 + "x").statusCode()).isEqualTo(401);
        assertThat(f.get("/", "Cookie", TokenGate.COOKIE + "=" + id1).statusCode()).isEqualTo(200);
        assertThat(f.get("/", "Cookie", TokenGate.COOKIE + "=" + id2).statusCode()).isEqualTo(200);
    }

    @Test
    void healthzWithoutTheTokenSaysOnlyOkOrFailingAndTheReasonsOnlyWithIt() {
        HttpResponse<String> ok = f.get("/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");
        assertThat(f.get("/healthz", "Authorization", "Bearer " + TOKEN).body()).startsWith("ok\n")
                .contains("connector chat: ");

        f.bot.engine().onEvent(new ConnectionChanged(TestBot.CHAT, ConnectionChanged.State.FAILED, "login refused"));
        HttpResponse<String> failing = f.get("/healthz");
        assertThat(failing.statusCode()).isEqualTo(503);
        assertThat(failing.body()).isEqualTo("failing\n");
        assertThat(f.get("/healthz", "Authorization", "Bearer wrong").body()).isEqualTo("failing\n");
        HttpResponse<String> told = f.get("/healthz", "Authorization", "Bearer " + TOKEN);
        assertThat(told.statusCode()).isEqualTo(503);
        assertThat(told.body()).contains("chat: failed (login refused)").contains("connector chat: failed");
        String cookie = f.get("/?token=" + TOKEN).headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(f.get("/healthz", "Cookie", cookie.substring(0, cookie.indexOf(';'))).body())
                .contains("login refused");
    }

    @Test
    void theSessionExpiresAndTheCookieIsSecureWhenThePublicUrlIsHttps() {
        f.close();
        FakeTicker ticker = new FakeTicker(Instant.parse("2026-03-04T05:06:07Z"));
        f = new PageFixture(s -> s.withToken(TOKEN).withTicker(ticker)
                .withPublicUrl(URI.create("https://buildduty.example.org/")));
        String cookie = f.get("/?token=" + TOKEN).headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("; Secure").contains("Max-Age=43200").doesNotContain(TOKEN);
        String pair = cookie.substring(0, cookie.indexOf(';'));
        assertThat(f.get("/", "Cookie", pair).statusCode()).isEqualTo(200);
        ticker.advance(Duration.ofHours(12));
        assertThat(f.get("/", "Cookie", pair).statusCode()).isEqualTo(401);
        // with a token the Host header is not checked (a reverse proxy may name anything); the token guards
        assertThat(f.getWithHost("/healthz", "proxy.internal").status()).isEqualTo(200);
    }
}
