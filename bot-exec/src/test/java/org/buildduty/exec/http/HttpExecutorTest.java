package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.http.HttpTesting.json;
import static org.buildduty.exec.http.HttpTesting.request;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.param.Escapes;

/** Templating, statuses and kept values of the http step, against a loopback server. */
class HttpExecutorTest extends HttpStepFixture {
    /** A value that would break a URL, a JSON string and a shell command if it were not escaped. */
    private static final String HOSTILE = "he said \"hi\" \\ back\nnext line '; touch x; ' & ?a=b #frag /..";
    /** A kept value: it may hold placeholder-like text, which is never bound again. */
    private static final String KEPT = "a\"b\\c\n'd' & e=f {{build_id}}";


    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("request received").isNotNull();
        return r;
    }

    @Test
    void planLikeUrlAndStringBodyDeliverExactValues() throws Exception {
        server.enqueue(json(200, "{\"ok\":true}"));
        // As the planner freezes them: url values percent-encoded, body values JSON-escaped, kept names still open.
        Map<String, Object> args = Map.of("method", "POST",
                "url", url("/api/v2/builders/") + Escapes.url(HOSTILE) + "/force?reason=" + Escapes.url(HOSTILE)
                        + "&build={{build_id}}&who={{who}}",
                "body", "{\"reason\": \"" + Escapes.json(HOSTILE) + "\", \"build\": \"{{build_id}}\","
                        + " \"n\": {{build_id}}, \"who\": \"{{who}}\", \"op\": {{operation}}}");
        Map<String, String> vars = Map.of("build_id", "42", "who", KEPT);

        StepResult r = http.execute(request("http", args, vars, Duration.ofMinutes(1)), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        RecordedRequest got = taken();
        assertThat(got.getMethod()).isEqualTo("POST");
        assertThat(got.getUrl().pathSegments()).containsExactly("api", "v2", "builders", HOSTILE, "force");
        assertThat(got.getUrl().queryParameter("reason")).isEqualTo(HOSTILE);
        assertThat(got.getUrl().queryParameter("build")).isEqualTo("42");
        assertThat(got.getUrl().queryParameter("who")).isEqualTo(KEPT);
        assertThat(got.getUrl().querySize()).isEqualTo(3);
        assertThat(got.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode body = Json.parse(got.getBody().utf8());
        assertThat(body).as(got.getBody().utf8()).isNotNull();
        assertThat(body.size()).isEqualTo(5);
        assertThat(body.get("reason").textValue()).isEqualTo(HOSTILE);
        assertThat(body.get("build").textValue()).isEqualTo("42");
        assertThat(body.get("n").intValue()).isEqualTo(42);
        assertThat(body.get("who").textValue()).isEqualTo(KEPT);
        assertThat(body.get("op").intValue()).isEqualTo(7);
    }

    @Test
    void mappingBodyIsSerialisedSoValuesCannotBreakTheStructure() throws Exception {
        server.enqueue(json(201, "{}"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jsonrpc", "2.0");
        body.put("method", "force");
        body.put("params", Map.of("reason", HOSTILE, "builderNames", List.of("runtests", "{{evil}}")));
        body.put("id", 1);
        Map<String, String> vars = Map.of("evil", "\"}, \"admin\": true, {\"");

        StepResult r = http.execute(request("http", Map.of("method", "PUT", "url", url("/api"), "body", body),
                vars, Duration.ofMinutes(1)), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        JsonNode got = Json.parse(taken().getBody().utf8());
        assertThat(got.size()).isEqualTo(4);
        assertThat(got.get("id").intValue()).isEqualTo(1);
        assertThat(got.get("params").size()).isEqualTo(2);
        assertThat(got.get("params").get("reason").textValue()).isEqualTo(HOSTILE);
        assertThat(got.get("params").get("builderNames").get(1).textValue()).isEqualTo("\"}, \"admin\": true, {\"");
    }

    @Test
    void bodyThatIsNoLongerJsonIsNotSent() {
        StepResult r = http.execute(request("http", Map.of("method", "POST", "url", url("/x"),
                "body", "{\"n\": {{n}}}"), Map.of("n", "1, \"admin\": true"), Duration.ofMinutes(1)), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("body is not valid JSON after substitution");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aKeptValueThatIsADotSegmentIsNotSentIntoTheUrl() throws Exception {
        for (String dots : List.of(".", "..", "%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252e")) {
            StepResult r = http.execute(request("http", Map.of("method", "POST",
                    "url", url("/api/v2/builds/{{id}}/cancel")), Map.of("id", dots), Duration.ofMinutes(1)), context);
            assertThat(r.outcome()).as(dots).isEqualTo(StepOutcome.FAILED);
            assertThat(r.reason()).isEqualTo("a value bound into the url must not be . or .. (or a %2e form of them):"
                    + " in a URL it would walk up the path");
        }
        assertThat(server.getRequestCount()).isZero();
        server.enqueue(json(200, "{}"));
        StepResult fine = http.execute(request("http", Map.of("method", "POST",
                "url", url("/api/v2/builds/{{id}}/cancel")), Map.of("id", "..."), Duration.ofMinutes(1)), context);
        assertThat(fine.outcome()).as(fine.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(taken().getUrl().pathSegments()).containsExactly("api", "v2", "builds", "...", "cancel");
    }

    @Test
    void aPlaceholderWithoutAValueIsNotSent() {
        StepResult url = http.execute(request(Map.of("url", url("/b/{{brid}}"))), context);
        StepResult body = http.execute(request("http", Map.of("method", "POST", "url", url("/b"),
                "body", Map.of("a", List.of("{{op}}"))), Map.of("brid", "1"), Duration.ofMinutes(1)), context);

        assertThat(url.reason()).isEqualTo("no value for {{brid}} in the url (no earlier step kept it)");
        assertThat(body.reason()).isEqualTo("no value for {{op}} in the body (no earlier step kept it)");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void headerValueWithALineBreakAfterBindingIsRefused() {
        StepResult r = http.execute(request("http", Map.of("url", url("/x"), "headers", Map.of("X-Who", "{{who}}")),
                Map.of("who", "bob\r\nX-Admin: yes"), Duration.ofMinutes(1)), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("header X-Who holds a line break or NUL after substitution");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void headersAreSentAndExpectedStatusSucceeds() throws Exception {
        server.enqueue(HttpTesting.status(204));
        server.enqueue(json(202, "{}"));

        StepResult r1 = http.execute(request(Map.of("method", "DELETE", "url", url("/b/1"),
                "headers", Map.of("X-Reason", "cleanup {{operation}}"), "expect", List.of("200", "204"))), context);
        StepResult r2 = http.execute(request(Map.of("method", "PATCH", "url", url("/b/1"), "body", "{}",
                "expect", "202")), context);

        assertThat(r1.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r2.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        RecordedRequest first = taken();
        assertThat(first.getMethod()).isEqualTo("DELETE");
        assertThat(first.getHeaders().get("X-Reason")).isEqualTo("cleanup 7");
        assertThat(taken().getMethod()).isEqualTo("PATCH");
        assertThat(context.lines(OutputChannel.INFO)).hasSize(2).allSatisfy(l -> assertThat(l)
                .matches("(DELETE|PATCH) http://127\\.0\\.0\\.1:\\d+/b/1 → 20[24] (No Content|Accepted) \\(\\d+ ms\\)"));
    }

    @Test
    void unexpectedStatusFailsWithReasonAndABoundedBodyExcerpt() {
        server.enqueue(json(404, "{\"error\": \"Invalid path: nosuch\"}"));
        server.enqueue(json(500, "{\"error\":\n\"" + "x".repeat(1000) + "\"}"));

        StepResult r = http.execute(request(Map.of("url", url("/api/v2/nosuch"), "retries", "0")), context);
        StepResult big = http.execute(request(Map.of("method", "POST", "url", url("/api/v2/f"), "expect", "201")),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("HTTP 404 Not Found (expected 2xx)");
        assertThat(r.lastLine()).isEqualTo("{\"error\": \"Invalid path: nosuch\"}");
        assertThat(big.reason()).isEqualTo("HTTP 500 Internal Server Error (expected 201)");
        assertThat(big.lastLine()).startsWith("{\"error\": \"xxx").hasSizeLessThanOrEqualTo(300).doesNotContain("\n");
        assertThat(context.lines(OutputChannel.INFO)).containsSubsequence(
                "GET " + url("/api/v2/nosuch") + " → 404 Not Found (0 ms)", "{\"error\": \"Invalid path: nosuch\"}",
                "POST " + url("/api/v2/f") + " → 500 Internal Server Error (0 ms)");
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void keepsValuesByPathAndPrintsOnlyTheirNames() {
        server.enqueue(json(200, "{\"result\": [17, {\"2\": 23}], \"meta\": {\"a.b\": \"tok-9f8e7d\"},"
                + " \"builds\": [{\"id\": 1}, {\"id\": 2}], \"none\": null}"));
        Map<String, Object> keep = new LinkedHashMap<>();
        keep.put("bsid", "$.result[0]");
        keep.put("brid", "$.result[1]['2']");
        keep.put("pair", "$.result[1]");
        keep.put("token", "$.meta['a.b']");
        keep.put("last", "$.builds[-1].id");
        keep.put("count", "$.builds.length()");
        keep.put("none", "$.none");

        StepResult r = http.execute(request(Map.of("method", "POST", "url", url("/force"), "keep", keep)), context);

        assertThat(r.outcome()).as(r.summary()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r.kept()).containsExactly(Map.entry("bsid", "17"), Map.entry("brid", "23"),
                Map.entry("pair", "{\"2\":23}"), Map.entry("token", "tok-9f8e7d"), Map.entry("last", "2"),
                Map.entry("count", "2"), Map.entry("none", "null"));
        assertThat(context.lines(OutputChannel.INFO)).endsWith("kept bsid, brid, pair, token, last, count, none");
        assertThat(String.join("\n", context.lines())).doesNotContain("tok-9f8e7d");
        assertThat(http.keptNames(Map.of("keep", keep))).containsExactly("bsid", "brid", "pair", "token", "last",
                "count", "none");
    }

    @Test
    void aMissingKeptPathFailsTheRun() {
        server.enqueue(json(200, "{\"builds\": []}"));
        server.enqueue(new mockwebserver3.MockResponse.Builder().code(200).body("not json").build());

        StepResult r = http.execute(request(Map.of("url", url("/b"), "keep", Map.of("id", "$.builds[0].id"))),
                context);
        StepResult text = http.execute(request(Map.of("url", url("/b"), "keep", Map.of("id", "$.id"))), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("keep id: $.builds[0].id is not in the response");
        assertThat(r.lastLine()).isEqualTo("{\"builds\": []}");
        assertThat(r.kept()).isEmpty();
        assertThat(text.reason()).isEqualTo("the response is not JSON, so id cannot be kept");
    }

    @Test
    void outputUrlHidesUserInfoAndSecretQueryValues() throws Exception {
        server.enqueue(json(200, "{}"));
        String target = url("/api").replace("http://", "http://bob:pa55@") + "?api_key=k-123&token=t-456&page=2";

        http.execute(request(Map.of("url", target)), context);

        assertThat(taken().getUrl().queryParameter("token")).isEqualTo("t-456");
        String out = String.join("\n", context.lines());
        assertThat(out).contains("/api?api_key=***&token=***&page=2 → 200 OK").doesNotContain("k-123", "t-456",
                "bob", "pa55");
    }
}
