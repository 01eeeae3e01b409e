package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class HttpTextTest {
    @Test
    void urlsLoseUserInfoAndSecretLookingQueryValues() {
        HttpUrl url = HttpUrl.parse("https://me:pw@api.example.org/v1/x?id=5&access_token=abc&apiKey=k&Password=p"
                + "&session_id=s&q=a%20b");
        assertThat(HttpText.url(url)).isEqualTo("https://api.example.org/v1/x?id=5&access_token=***&apiKey=***"
                + "&Password=***&session_id=***&q=a%20b");
        assertThat(HttpText.url(HttpUrl.parse("http://h/" + "a".repeat(400)))).hasSize(HttpText.URL).endsWith("…");
    }

    @Test
    void statusLinesUseStandardPhrasesAndSafeServerText() {
        assertThat(HttpText.status(404, "")).isEqualTo("404 Not Found");
        assertThat(HttpText.status(418, "I'm a\nteapot\u0007")).isEqualTo("418 I'm a teapot");
        assertThat(HttpText.status(599, null)).isEqualTo("599");
    }

    @Test
    void excerptsAreOneBoundedSafeLine() {
        assertThat(HttpText.excerpt("{\n  \"error\":\t\"x\"\r\n}\u202e".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("{ \"error\": \"x\" }");
        assertThat(HttpText.excerpt("é".repeat(2000).getBytes(StandardCharsets.UTF_8))).hasSize(HttpText.EXCERPT);
        assertThat(HttpText.excerpt(new byte[0])).isEmpty();
    }

    @Test
    void ioReasonsAreShort() {
        assertThat(HttpText.ioReason(new ConnectException("Connection refused"), false))
                .isEqualTo("connection refused");
        assertThat(HttpText.ioReason(new SocketTimeoutException("Read timed out"), false))
                .isEqualTo("timed out waiting for the server");
        assertThat(HttpText.ioReason(new InterruptedIOException("timeout"), false)).isEqualTo("timed out");
        assertThat(HttpText.ioReason(new UnknownHostException("nohost.example"), false))
                .isEqualTo("unknown host nohost.example");
        assertThat(HttpText.ioReason(new IOException("Canceled"), true)).isEqualTo("cancelled");
        assertThat(HttpText.ioReason(new IOException("unexpected end of stream\non x"), false))
                .isEqualTo("IOException: unexpected end of stream on x");
    }

    @Test
    void secondsAreShort() {
        assertThat(HttpText.seconds(Duration.ofMillis(500))).isEqualTo("0.5s");
        assertThat(HttpText.seconds(Duration.ofMillis(28_707))).isEqualTo("28.707s");
        assertThat(HttpText.seconds(Duration.ofSeconds(2))).isEqualTo("2s");
        assertThat(HttpText.seconds(Duration.ofSeconds(90))).isEqualTo("1m 30s");
        assertThat(HttpText.number(120_000)).isEqualTo("120");
    }
}
