package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What an http step's arguments are checked for when a runbook is loaded. */
class HttpArgsTest {
    private final HttpExecutor http = new HttpExecutor(HttpCredentials.of(List.of(
            HttpCredential.bearer("mbs", URI.create("https://mbs.example.org/"), () -> "t"))));

    private Map<String, String> problems(Map<String, Object> args) {
        return http.validateArgs(args);
    }

    @Test
    void aTemplatedStepIsFine() {
        assertThat(problems(Map.of("method", "post", "url", "https://mbs.example.org/1/module-builds/{{id}}",
                "headers", Map.of("X-Reason", "{{reason}}"), "body", "{\"state\": \"failed\", \"n\": {{n}}}",
                "expect", List.of("200", 201), "keep", Map.of("state", "$.state_name"), "auth", "mbs")))
                .isEmpty();
        assertThat(problems(Map.of("url", "{{base}}/api", "retries", "5", "expect", "2xx"))).isEmpty();
        assertThat(problems(Map.of("method", "PUT", "url", "http://h/x", "body", Map.of("a", List.of("{{b}}")))))
                .isEmpty();
    }

    @Test
    void unknownKeysListTheKnownOnes() {
        assertThat(problems(Map.of("url", "http://h/", "data", "{}"))).containsExactly(Map.entry("data",
                "unknown argument (known: auth, body, expect, headers, keep, method, retries, url)"));
    }

    @Test
    void eachBadArgumentGetsItsOwnMessage() {
        assertThat(problems(Map.of("url", "ftp://h/x"))).containsEntry("url", "must start with http:// or https://");
        assertThat(problems(Map.of("method", "GET"))).containsEntry("url", "an http or https URL is required");
        assertThat(problems(Map.of("url", "http://"))).containsEntry("url", "is not a valid URL");
        assertThat(problems(Map.of("url", "http://h/", "method", "FETCH"))).containsEntry("method",
                "must be one of DELETE, GET, HEAD, PATCH, POST, PUT, not \"FETCH\"");
        assertThat(problems(Map.of("url", "http://h/", "expect", "ok"))).containsEntry("expect",
                "must be a status like 200, a class like 2xx, or a list of them, not \"ok\"");
        assertThat(problems(Map.of("url", "http://h/", "expect", List.of("200", "600")))).containsKey("expect");
        assertThat(problems(Map.of("url", "http://h/", "keep", Map.of("id", "$.a[", "ok", "$.b")))).containsEntry(
                "keep", "id: bad JSON path \"$.a[\": unclosed [ (at character 4)");
        assertThat(problems(Map.of("url", "http://h/", "keep", "$.id"))).containsKey("keep");
        assertThat(problems(Map.of("url", "http://h/", "auth", "buildbot"))).containsEntry("auth",
                "unknown credential \"buildbot\" (configured: mbs)");
        assertThat(problems(Map.of("url", "http://h/", "body", "{}"))).containsEntry("body",
                "a GET request has no body");
        assertThat(problems(Map.of("url", "http://h/", "method", "POST", "body", "{\"a\": }"))).containsEntry("body",
                "is not valid JSON");
        assertThat(problems(Map.of("url", "http://h/", "method", "POST", "retries", "1"))).containsEntry("retries",
                "only idempotent methods (GET, HEAD, PUT, DELETE) are retried; a POST may already have been processed");
        assertThat(problems(Map.of("url", "http://h/", "retries", "11"))).containsEntry("retries",
                "must be a number from 0 to 10");
        assertThat(problems(Map.of("url", "http://h/", "headers", Map.of("Bad Name", "x")))).containsEntry("headers",
                "\"Bad Name\" is not a header name");
        assertThat(problems(Map.of("url", "http://h/", "headers", Map.of("X-A", "a\nb")))).containsEntry("headers",
                "X-A: a header value must not hold a line break or NUL");
        assertThat(problems(Map.of("url", "http://h/", "headers", List.of("X-A: b")))).containsEntry("headers",
                "must be a mapping of header names to values");
    }

    @Test
    void withoutCredentialsTheMessageSaysSo() {
        HttpExecutor none = new HttpExecutor(HttpCredentials.none());
        assertThat(none.validateArgs(Map.of("url", "http://h/", "auth", "x"))).containsEntry("auth",
                "unknown credential \"x\" (none is configured)");
    }

    @Test
    void keptNamesAreTheKeysOfKeep() {
        assertThat(http.keptNames(Map.of("url", "http://h/", "keep", new LinkedHashMap<>(Map.of("a",
                "$.a"))))).containsExactly("a");
        assertThat(http.keptNames(Map.of("url", "http://h/"))).isEmpty();
        assertThat(http.kind()).isEqualTo("http");
    }
}
