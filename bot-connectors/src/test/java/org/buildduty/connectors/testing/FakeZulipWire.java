package org.buildduty.connectors.testing;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.RecordedRequest;

/** What {@link FakeZulipServer} reads and writes: form and query parameters, message objects, result bodies. */
final class FakeZulipWire {
    static final ObjectMapper JSON = new ObjectMapper();

    private FakeZulipWire() {
    }

    static ObjectNode json(FakeZulipServer.Message m, Function<String, Long> ids, Function<String, String> names) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", m.id()).put("sender_id", ids.apply(m.senderEmail()))
                .put("sender_email", m.senderEmail())
                .put("sender_full_name", names.apply(m.senderEmail()))
                .put("sender_realm_str", "example").put("client", "website").put("content", m.content())
                .put("content_type", "text/x-markdown").put("timestamp", m.timestamp()).put("type", m.type())
                .put("recipient_id", 5000 + (m.stream() == null ? 0 : Math.abs(m.stream().hashCode() % 1000)))
                .put("avatar_url", "https://url/for/avatar");
        n.set("topic_links", JSON.createArrayNode());
        if (m.type().equals("stream")) {
            n.put("display_recipient", m.stream()).put("stream_id", Math.abs(m.stream().hashCode() % 1000))
                    .put("subject", m.topic());
        } else {
            ArrayNode r = n.putArray("display_recipient");
            for (String e : m.recipients()) {
                r.addObject().put("email", e).put("full_name", names.apply(e))
                        .put("id", ids.apply(e));
            }
            n.put("subject", "");
        }
        return n;
    }

    static Map<String, String> params(RecordedRequest r, String body) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String name : r.getUrl().queryParameterNames()) {
            p.put(name, r.getUrl().queryParameter(name));
        }
        if (!body.isEmpty() && !r.getMethod().equals("GET")) {
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    p.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return p;
    }

    static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }

    static ObjectNode success() {
        return JSON.createObjectNode().put("result", "success").put("msg", "");
    }

    static ObjectNode errorBody(String code, String msg) {
        return JSON.createObjectNode().put("code", code).put("msg", msg).put("result", "error");
    }
}
