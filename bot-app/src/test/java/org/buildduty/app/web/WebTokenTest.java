package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.operation.OperationId;

class WebTokenTest {
    private static final String TOKEN = "read-t0ken-42";
    private PageFixture f;
    private OperationId id;

    @BeforeEach
    void start() {
        f = new PageFixture(s -> s.withToken(TOKEN));
        id = f.run("alice", "!quick");
        f.awaitTerminal(id);
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
    void visitingOnceWithTheTokenSetsAStrictHttpOnlyCookieAndDropsItFromTheAddress() {
        HttpResponse<String> r = f.get("/ops/" + id.value() + "?token=" + TOKEN + "&x=1");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).contains("/ops/" + id.value() + "?x=1");
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(TokenGate.COOKIE + "=" + TOKEN + ";").contains("HttpOnly")
                .contains("SameSite=Strict").contains("Path=/");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        for (String path : guarded()) {
            assertThat(f.get(path, "Cookie", pair).statusCode()).as(path).isEqualTo(path.equals("/ops/999") ? 404
                    : 200);
        }
        assertThat(f.get("/?token=" + TOKEN).headers().firstValue("Location")).contains("/");
    }
}
