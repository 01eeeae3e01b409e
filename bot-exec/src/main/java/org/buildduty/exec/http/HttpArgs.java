package org.buildduty.exec.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.buildduty.core.param.Bindings;

/**
 * The request part of an {@code http} or {@code wait_until} step's arguments, read and checked: {@code method},
 * {@code url}, {@code headers}, {@code body}, {@code auth}, and for {@code http} also {@code expect}, {@code keep}
 * and {@code retries}. Reading never throws: each problem is added to a map of key → message, the form
 * {@code StepExecutor.validateArgs} returns.
 */
final class HttpArgs {
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");
    static final Set<String> REQUEST_KEYS = Set.of("method", "url", "headers", "body", "auth");
    static final Set<String> HTTP_KEYS = union(REQUEST_KEYS, Set.of("expect", "keep", "retries"));
    static final int MAX_RETRIES = 10;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    final String method;
    final String url;
    final Map<String, String> headers;
    /** A String (JSON text), or a Map or List (serialized after binding), or null. */
    final Object body;
    final StatusExpect expect;
    final Map<String, JsonPath> keep;
    final String auth;
    final int retries;

    private HttpArgs(String method, String url, Map<String, String> headers, Object body, StatusExpect expect,
            Map<String, JsonPath> keep, String auth, int retries) {
        this.method = method;
        this.url = url;
        this.headers = headers;
        this.body = body;
        this.expect = expect;
        this.keep = keep;
        this.auth = auth;
        this.retries = retries;
    }

    boolean idempotent() {
        return IDEMPOTENT.contains(method);
    }

    /**
     * Reads the arguments, adding a message per bad one to {@code problems}. Keys outside {@code known} are refused
     * unless {@code others} holds them (keys another reader checks).
     */
    static HttpArgs read(Map<String, Object> args, Set<String> known, Set<String> others, HttpCredentials credentials,
            Map<String, String> problems) {
        for (String key : args.keySet()) {
            if (!known.contains(key) && !others.contains(key)) {
                problems.put(key, "unknown argument (known: " + String.join(", ", new TreeSet<>(union(known, others)))
                        + ")");
            }
        }
        String method = "GET";
        Object m = args.get("method");
        if (m != null) {
            String s = String.valueOf(m).strip().toUpperCase(Locale.ROOT);
            if (!(m instanceof String) || !METHODS.contains(s)) {
                problems.put("method", "must be one of " + String.join(", ", new TreeSet<>(METHODS)) + ", not \""
                        + HttpText.oneLine(String.valueOf(m), 20) + "\"");
            } else {
                method = s;
            }
        }
        String url = url(args.get("url"), problems);
        Map<String, String> headers = headers(args.get("headers"), problems);
        Object body = body(args.get("body"), method, problems);
        String auth = null;
        Object a = args.get("auth");
        if (a != null) {
            if (!(a instanceof String authName) || authName.isBlank()) {
                problems.put("auth", "must be the name of a configured credential");
            } else if (credentials.get(authName).isEmpty()) {
                Set<String> names = credentials.names();
                problems.put("auth", "unknown credential \"" + HttpText.oneLine(authName, 40) + "\" ("
                        + (names.isEmpty() ? "none is configured" : "configured: " + String.join(", ", names)) + ")");
            } else {
                auth = authName;
            }
        }
        StatusExpect expect = StatusExpect.SUCCESS;
        if (args.containsKey("expect") && known.contains("expect")) {
            try {
                expect = StatusExpect.parse(args.get("expect"));
            } catch (IllegalArgumentException e) {
                problems.put("expect", e.getMessage());
            }
        }
        Map<String, JsonPath> keep = known.contains("keep") ? readKeep(args.get("keep"), problems) : Map.of();
        int retries = IDEMPOTENT.contains(method) ? 2 : 0;
        Object r = args.get("retries");
        if (r != null && known.contains("retries")) {
            String s = String.valueOf(r).strip();
            if (!(r instanceof Number || r instanceof String) || !s.matches("[0-9]{1,2}")
                    || Integer.parseInt(s) > MAX_RETRIES) {
                problems.put("retries", "must be a number from 0 to " + MAX_RETRIES);
            } else if (Integer.parseInt(s) > 0 && !IDEMPOTENT.contains(method)) {
                problems.put("retries", "only idempotent methods (GET, HEAD, PUT, DELETE) are retried; a " + method
                        + " may already have been processed");
            } else {
                retries = Integer.parseInt(s);
            }
        }
        return new HttpArgs(method, url, headers, body, expect, keep, auth, retries);
    }

    private static String url(Object u, Map<String, String> problems) {
        if (!(u instanceof String text) || text.isBlank()) {
            problems.put("url", "an http or https URL is required");
            return "";
        }
        String url = text.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("{{") && !lower.startsWith("http://") && !lower.startsWith("https://")) {
            problems.put("url", "must start with http:// or https://");
        } else if (!lower.startsWith("{{") && okhttp3.HttpUrl.parse(Bindings.bind(url, n -> "x")) == null) {
            problems.put("url", "is not a valid URL");
        }
        return url;
    }

    private static Map<String, String> headers(Object h, Map<String, String> problems) {
        if (h == null) {
            return Map.of();
        }
        if (!(h instanceof Map<?, ?> map)) {
            problems.put("headers", "must be a mapping of header names to values");
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (!TOKEN.matcher(name).matches()) {
                problems.put("headers", "\"" + HttpText.oneLine(name, 40) + "\" is not a header name");
            } else if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                problems.put("headers", name + ": a header value is one string");
            } else if (badHeaderValue(String.valueOf(v))) {
                problems.put("headers", name + ": a header value must not hold a line break or NUL");
            } else {
                out.put(name, String.valueOf(v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** True when a header value holds CR, LF or NUL (or another control character but tab). */
    static boolean badHeaderValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static Object body(Object b, String method, Map<String, String> problems) {
        if (b == null) {
            return null;
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            problems.put("body", "a " + method + " request has no body");
            return null;
        }
        if (b instanceof Map || b instanceof List) {
            return b;
        }
        if (!(b instanceof String text) || text.isBlank()) {
            problems.put("body", "must be a mapping or list (sent as JSON) or a JSON text");
            return null;
        }
        // Placeholders are bound later; a 0 in their place is valid both inside a JSON string and as a value.
        if (!Json.isJson(Bindings.bind(text, n -> "0"))) {
            problems.put("body", "is not valid JSON");
        }
        return b;
    }

    /** Reads {@code keep}: name → JSON path. */
    static Map<String, JsonPath> readKeep(Object k, Map<String, String> problems) {
        if (k == null) {
            return Map.of();
        }
        if (!(k instanceof Map<?, ?> map) || map.isEmpty()) {
            problems.put("keep", "must be a mapping of names to JSON paths, e.g. { build_id: $.builds[0].buildid }");
            return Map.of();
        }
        Map<String, JsonPath> out = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof String path)) {
                errors.add(name + ": must be a JSON path such as $.id");
                continue;
            }
            try {
                out.put(name, JsonPath.parse(path));
            } catch (IllegalArgumentException ex) {
                errors.add(name + ": " + ex.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            problems.put("keep", String.join("; ", errors));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The names {@code keep} declares, in order (none when it is not a mapping). */
    static Set<String> keptNames(Map<String, Object> args) {
        Object k = args.get("keep");
        Set<String> names = new LinkedHashSet<>();
        if (k instanceof Map<?, ?> map) {
            map.keySet().forEach(n -> names.add(String.valueOf(n)));
        }
        return Collections.unmodifiableSet(names);
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return Collections.unmodifiableSet(out);
    }
}
