package org.buildduty.commands.buildbot;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.buildduty.exec.http.ServiceLines;

/** Turns Buildbot's error answers and I/O failures into one chat-safe line. */
final class BuildbotErrors {
    private static final int MAX = 240;

    private BuildbotErrors() {
    }

    /**
     * The line for an error answer: a REST {@code {"error": "text"}} or a JSON-RPC
     * {@code {"error": {"code": c, "message": text-or-object}}}, or just the status when the body is not JSON.
     */
    static String message(int status, JsonNode body) {
        JsonNode error = body == null ? null : body.get("error");
        if (error == null) {
            return "Buildbot answered HTTP " + status;
        }
        if (error.isTextual()) {
            return cut("Buildbot answered " + status + ": " + error.asText(), MAX);
        }
        int code = error.path("code").asInt();
        JsonNode m = error.path("message");
        String text;
        if (m.isObject()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : m.properties()) {
                String v = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
                parts.add(v.startsWith(e.getKey() + ":") ? v : e.getKey() + ": " + v);
            }
            text = String.join("; ", parts);
        } else {
            text = m.isTextual() ? m.asText() : m.toString();
        }
        if (status == 403) {
            return cut("Buildbot refused: " + text, MAX);
        }
        if (code == -32602) {
            return cut("Buildbot rejected the parameters: " + text, MAX);
        }
        if (code == -32603 || status >= 500) {
            return cut("Buildbot failed: " + text, MAX);
        }
        return cut("Buildbot answered " + status + ": " + text, MAX);
    }

    /** {@code Buildbot at http://… is not reachable: connection refused}. */
    static String unreachable(URI base, IOException e) {
        return ServiceLines.unreachable("Buildbot", base, e);
    }

    /** {@code Buildbot at http://… is not reachable: answered 503}: a proxy's answer while the master is down. */
    static String gateway(URI base, int status) {
        return cut("Buildbot at " + base + " is not reachable: answered " + status, MAX);
    }

    /** One line of at most {@code max} characters. */
    static String cut(String s, int max) {
        return ServiceLines.cut(s, max);
    }
}
