package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code packaging/grafana-dashboard.json} against a scrape of the real jar's {@code /metrics}: the bot runs the
 * shipped configuration, a demo run that fails (an executor error) and an approved run, then every metric a panel or
 * template variable queries must be in the scrape, every label it matches or groups by must be on that metric
 * ({@code instance} and {@code job} excepted: Prometheus adds them when it scrapes), and every label value it matches
 * with {@code =} must occur.
 */
class GrafanaDashboardIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path DASHBOARD =
            Path.of("..", "packaging", "grafana-dashboard.json").toAbsolutePath().normalize();
    private static final Pattern WEB_LINE = Pattern.compile("web page on (http://127\\.0\\.0\\.1:(\\d+))/");
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern NAME_OR_CALL =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\(|\\{([^}]*)\\})?");
    private static final Pattern MATCHER =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+\\S+.*");
    private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyMetricAndLabelTheDashboardQueriesIsInTheBotsScrape() throws Exception {
        List<String> queries = queries(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(queries).as("queries of " + DASHBOARD).hasSizeGreaterThan(20);

        BotProcess.copyShippedConfig(dir);
        String scrape;
        // A small young generation so that a collection surely happened: jvm_gc_pause_* exist only after one.
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "config/buildduty.yml"),
                Map.of("JAVA_TOOL_OPTIONS", "-Xmn4m"))) {
            String base = awaitWebLine(dir.resolve("buildduty.log"));
            bot.type("run demo --pause 0 --fail yes");
            bot.expect("demo #1 [############] 3/3 steps · 1 failed", WAIT);
            bot.type("run demo-approval");
            bot.expect("approve with \"!approve 2\"", WAIT);
            bot.type("approve 2");
            bot.expect("demo-approval #2 [############] 1/1 steps · succeeded", WAIT);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            scrape = r.body();
            assertThat(bot.endInput(WAIT)).isZero();
        }
        Map<String, List<Map<String, String>>> samples = samples(scrape);
        assertThat(samples).containsKeys("buildduty_commands_total", "jvm_memory_used_bytes");

        List<String> problems = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        for (String q : queries) {
            named.addAll(metricNames(q));
            problems.addAll(problems(q, samples));
        }
        assertThat(named).as("metrics the dashboard names").hasSizeGreaterThan(20)
                .anyMatch(n -> n.startsWith("buildduty_")).anyMatch(n -> n.startsWith("jvm_"));
        assertThat(problems).as("dashboard queries against the scrape").isEmpty();

        assertThat(problems("sum by (executor) (rate(buildduty_no_such_total[5m]))", samples))
                .as("the check itself sees a metric that is not there").isNotEmpty();
        assertThat(problems("sum by (colour) (buildduty_operations)", samples))
                .as("and a label that is not").isNotEmpty();
        assertThat(problems("jvm_memory_used_bytes{area=\"hep\"}", samples)).as("and a value").isNotEmpty();
    }

    /** The PromQL of every panel target (rows' panels included) and every query variable. */
    private static List<String> queries(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            panels.get(i).path("panels").forEach(panels::add);
            for (JsonNode target : panels.get(i).path("targets")) {
                assertThat(target.path("expr").asText()).as("expr of panel " + panels.get(i).path("title"))
                        .isNotBlank();
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode q = variable.path("query");
                queries.add(q.isTextual() ? q.asText() : q.path("query").asText());
            }
        }
        return queries;
    }

    /** Metric names of a query: identifiers that are neither functions, keywords, nor inside ranges or groupings. */
    static Set<String> metricNames(String query) {
        Set<String> names = new LinkedHashSet<>();
        Matcher lv = LABEL_VALUES.matcher(query);
        while (lv.find()) {
            names.add(lv.group(1));
        }
        Matcher m = NAME_OR_CALL.matcher(stripped(query));
        while (m.find()) {
            if (!"(".equals(m.group(2)) && !KEYWORDS.contains(m.group(1)) && !query.startsWith("label_values(")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** What in this query the scrape does not have; empty when everything is there. */
    static List<String> problems(String query, Map<String, List<Map<String, String>>> samples) {
        List<String> problems = new ArrayList<>();
        String text = stripped(query);
        Set<String> metrics = new LinkedHashSet<>();
        Matcher m = NAME_OR_CALL.matcher(text);
        while (m.find()) {
            if ("(".equals(m.group(2)) || KEYWORDS.contains(m.group(1)) || query.startsWith("label_values(")) {
                continue;
            }
            String metric = m.group(1);
            metrics.add(metric);
            if (!samples.containsKey(metric)) {
                problems.add(query + ": no metric " + metric + " in the scrape");
                continue;
            }
            Matcher mm = MATCHER.matcher(m.group(3) == null ? "" : m.group(3));
            while (mm.find()) {
                String label = mm.group(1);
                if (TARGET_LABELS.contains(label)) {
                    continue;
                }
                if (samples.get(metric).stream().noneMatch(s -> s.containsKey(label))) {
                    problems.add(query + ": " + metric + " has no label " + label);
                } else if (mm.group(2).equals("=")
                        && samples.get(metric).stream().noneMatch(s -> mm.group(3).equals(s.get(label)))) {
                    problems.add(query + ": " + metric + " has no " + label + "=\"" + mm.group(3) + "\"");
                }
            }
        }
        Matcher lv = LABEL_VALUES.matcher(query);
        while (lv.find()) {
            if (!samples.containsKey(lv.group(1))) {
                problems.add(query + ": no metric " + lv.group(1) + " in the scrape");
            } else if (!TARGET_LABELS.contains(lv.group(2))
                    && samples.get(lv.group(1)).stream().noneMatch(s -> s.containsKey(lv.group(2)))) {
                problems.add(query + ": " + lv.group(1) + " has no label " + lv.group(2));
            }
        }
        Matcher g = GROUPING.matcher(query.replaceAll("\\[[^\\]]*\\]", ""));
        while (g.find()) {
            for (String label : g.group(1).split(",")) {
                String l = label.strip();
                if (l.isEmpty() || TARGET_LABELS.contains(l)) {
                    continue;
                }
                boolean somewhere = metrics.stream().filter(samples::containsKey)
                        .anyMatch(metric -> samples.get(metric).stream().anyMatch(s -> s.containsKey(l)));
                if (!somewhere) {
                    problems.add(query + ": no metric of it has the label " + l + " it groups by");
                }
            }
        }
        return problems;
    }

    /** The query without range selectors and grouping clauses, whose words are not metric names. */
    private static String stripped(String query) {
        return GROUPING.matcher(query.replaceAll("\\[[^\\]]*\\]", "")).replaceAll(" ");
    }

    /** The scrape's samples: metric name to the label sets it has. */
    private static Map<String, List<Map<String, String>>> samples(String scrape) {
        Map<String, List<Map<String, String>>> samples = new HashMap<>();
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            Matcher l = SAMPLE_LABEL.matcher(m.group(3) == null ? "" : m.group(3));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            samples.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return samples;
    }

    private static String awaitWebLine(Path log) throws IOException, InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log)) {
                Matcher m = WEB_LINE.matcher(Files.readString(log));
                if (m.find()) {
                    return m.group(1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"web page on\" line in " + log);
    }
}
