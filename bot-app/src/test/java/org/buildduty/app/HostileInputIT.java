package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.hostile.HostileInputs;
import org.buildduty.core.config.ConfigException;

/**
 * The hostile corpus through every command of the shipped bot: in-process for the bulk (each payload in every
 * positional and option form), then a sample through the real jar's console. No payload reaches a shell unquoted
 * (the canary never appears), every message is answered safely, the bot keeps answering, and the configured secret
 * shows up in no answer, log or journal byte.
 */
class HostileInputIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How long an operation a message started may run before it is cancelled (the demo with a valid --pause). */
    private static final Duration RUN_FOR = Duration.ofSeconds(10);
    private static final String SECRET = "hx-secret-" + UUID.randomUUID();
    private static final Pattern STARTED = Pattern.compile("^hostile #(\\d+) started");
    /** The end of every hostile test's configuration: three local hosts and the credential holding the secret. */
    static final String INVENTORY_AND_CREDENTIALS = String.join("\n",
            "inventory:",
            "  hosts:",
            "    local1: { address: 127.0.0.1, groups: [local] }",
            "    local2: { address: 127.0.0.1, groups: [local] }",
            "    local3: { address: 127.0.0.1, groups: [local] }",
            "credentials:",
            "  hostile: { type: bearer, url: http://127.0.0.1:9/api, token_env: " + HostileInputs.SECRET_ENV + " }",
            "");

    @TempDir
    Path dir;
    private Path canary;

    @BeforeEach
    void writeConfig() throws IOException {
        canary = dir.resolve("CANARY");
        Path runbooks = dir.resolve("config/runbooks");
        Files.createDirectories(runbooks);
        Files.createDirectories(dir.resolve("root"));
        writeRunbooks(runbooks, dir.resolve("root"));
        Files.writeString(dir.resolve("config/buildduty.yml"), String.join("\n",
                botSection(dir, runbooks, "127.0.0.1:0", "  anonymous: true"),
                "connectors:",
                "  - id: console",
                "    type: console",
                "roles:",
                "  releng: []",
                INVENTORY_AND_CREDENTIALS));
    }

    /**
     * The bot section of the hostile tests' configuration: prefix {@code !}, nick buildduty, journal in
     * {@code dir/data}, these runbooks, the web page at {@code web}, room for 10,000 live operations and pending
     * approvals, and the {@code more} lines.
     */
    static String botSection(Path dir, Path runbooks, String web, String... more) {
        List<String> lines = new ArrayList<>(List.of("bot:",
                "  prefix: \"!\"",
                "  nick: buildduty",
                "  journal: " + dir.resolve("data/buildduty.db"),
                "  runbooks: " + runbooks,
                "  web: \"" + web + "\"",
                "  max_live_operations: 10000",
                "  max_pending_approvals: 10000"));
        lines.addAll(List.of(more));
        return String.join("\n", lines);
    }

    /**
     * Copies the shipped runbooks into {@code runbooks} and adds {@code hostile} (prints each of its parameters on a
     * line, shell-quoted by the bot; paths under {@code root}) and {@code leak} (tries to show the secret).
     */
    static void writeRunbooks(Path runbooks, Path root) throws IOException {
        Path shipped = Path.of("..", "config", "runbooks").toAbsolutePath().normalize();
        try (Stream<Path> files = Files.list(shipped)) {
            for (Path p : files.toList()) {
                Files.copy(p, runbooks.resolve(p.getFileName()));
            }
        }
        Files.writeString(runbooks.resolve("hostile.yml"), String.join("\n",
                "name: hostile",
                "role: anyone",
                "exclusive: none",
                "description: prints each of its parameters on a line, shell-quoted by the bot",
                "params:",
                "  msg: { type: string, default: none, description: text to print }",
                "  count: { type: int, default: 1, min: 0, max: 5, description: a number }",
                "  mode: { type: enum, choices: [a, b], default: a, description: a choice }",
                "  where: { type: path, default: " + root + ", roots: [" + root + "], description: a path }",
                "  flag: { type: bool, default: false, description: a flag }",
                "steps:",
                "  - name: print",
                "    local: { command: \"printf '%s\\\\n' {{msg}} {{count}} {{mode}} {{where}} {{flag}}\" }",
                "    timeout: 30s",
                ""));
        Files.writeString(runbooks.resolve("leak.yml"), String.join("\n",
                "name: leak",
                "role: anyone",
                "exclusive: none",
                "description: tries to show the secret - the environment, then a call that fails with it",
                "params:",
                "  msg: { type: string, default: none, description: text to send }",
                "steps:",
                "  - name: environment",
                "    local: { command: \"env | grep -c " + HostileInputs.SECRET_ENV + "; echo token=$"
                        + HostileInputs.SECRET_ENV + "; printf '%s\\\\n' {{msg}}\" }",
                "  - name: call",
                "    http:",
                "      method: POST",
                "      url: \"http://127.0.0.1:9/api/x?m={{msg}}\"",
                "      auth: hostile",
                "      body: { m: \"{{msg}}\" }",
                "      expect: 200",
                "    timeout: 10s",
                ""));
    }

    @Test
    void everyPayloadThroughEveryCommandInProcess() throws Exception {
        HostileChecks checks = new HostileChecks(SECRET);
        int messages = 0;
        long start = System.nanoTime();
        String log;
        try (HostileBot bot = HostileBot.start(dir.resolve("config/buildduty.yml"),
                Map.of(HostileInputs.SECRET_ENV, SECRET))) {
            assertThat(bot.registry().names()).contains("help", "whoami", "run", "reconfig", "approve", "disk");
            for (String category : HostileInputs.CATEGORIES) {
                for (HostileInputs.Payload p : HostileInputs.of(category, canary)) {
                    for (String message : HostileMessages.forPayload(bot.registry(), bot.runbooks(), p.text())) {
                        checks.answer(p.text(), message, bot.send(message, RUN_FOR));
                        checks.messageSizes(message, bot.lastTexts());
                        messages++;
                    }
                }
                assertThat(canary).as("after " + category).doesNotExist();
                assertThat(bot.send("whoami", RUN_FOR)).as("after " + category)
                        .anyMatch(l -> l.startsWith("you are console:local"));
            }
            log = bot.log();
        }
        assertThat(canary).doesNotExist();
        assertThat(checks.runsChecked()).as("runs of the hostile runbook checked").isGreaterThan(100);
        assertThat(log).as("the captured log").isNotEmpty();
        checks.notIn("the log", log);
        checks.notInFiles(dir.resolve("data"));
        System.out.printf("hostile in-process: %d payloads, %d messages, %d refused in one line, %d runs checked,"
                + " %d s; answer forms: %s%n", HostileInputs.all(canary).size(), messages, checks.refusals(),
                checks.runsChecked(),
                Duration.ofNanos(System.nanoTime() - start).toSeconds(), checks.forms());
        checks.examples().forEach((form, line) -> System.out.println("  " + form + " -> " + line));
    }

    @Test
    void hostileTemplatesAreRefusedWhenTheBotLoadsItsRunbooks() throws Exception {
        Path runbooks = dir.resolve("config/runbooks");
        String head = "role: anyone\nparams:\n  p: { type: string, default: x }\nsteps:\n  - name: s\n";
        Path backquotes = Files.writeString(runbooks.resolve("zz-backquotes.yml"), "name: zz-backquotes\n" + head
                + "    local: { command: \"echo `basename {{p}}`\" }\n");
        Path body = Files.writeString(runbooks.resolve("zz-body.yml"), "name: zz-body\n" + head
                + "    http: { method: POST, url: \"http://127.0.0.1:9/x\", body: \"{\\\"m\\\": {{p}}}\" }\n");
        Path dots = Files.writeString(runbooks.resolve("zz-dots.yml"), "name: zz-dots\n"
                + head.replace("default: x", "default: \"..\"")
                + "    http: { url: \"http://127.0.0.1:9/a/{{p}}\" }\n");
        Path open = Files.writeString(runbooks.resolve("zz-open.yml"),
                "name: zz-open\nsteps:\n  - name: s\n    local: { command: \"true\" }\n");
        assertThatThrownBy(() -> HostileBot.start(dir.resolve("config/buildduty.yml"),
                Map.of(HostileInputs.SECRET_ENV, SECRET)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        backquotes + ":7: steps[0].local.command: {{p}} is inside backquotes (`...`), where a quoted"
                                + " value can end the command substitution; write $(...) instead",
                        body + ":7: steps[0].http.body: {{p}} stands outside a JSON string, where a value could add"
                                + " JSON structure; only an int or bool parameter may stand bare (write \"{{p}}\")",
                        dots + ":7: steps[0].http.url: {{p}} may be \"..\", which must not be . or .. (or a %2e form"
                                + " of them): in a URL it would walk up the path",
                        open + ":1: role: missing: say who may run it, role: <name> (a role of the roles section) or"
                                + " role: anyone"));
    }

    @Test
    void aSampleThroughTheRealJarsConsole() throws Exception {
        HostileChecks checks = new HostileChecks(SECRET);
        long start = System.nanoTime();
        int sent = 0;
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "config/buildduty.yml"),
                Map.of(HostileInputs.SECRET_ENV, SECRET))) {
            bot.type("whoami");
            bot.expect("you are console:local", WAIT);
            String category = "";
            for (HostileInputs.Payload p : HostileInputs.all(canary)) {
                if (!p.category().equals(category)) {
                    category = p.category();
                    bot.type("whoami");
                    bot.expect("you are console:local", WAIT);
                }
                for (String message : jarMessages(p.text())) {
                    bot.type(message);
                    sent++;
                    List<String> lines = untilSentinel(bot, sent);
                    awaitRun(bot, lines);
                    List<String> typed = List.of(message.split("\r?\n|\r", -1));
                    if (typed.size() == 1) {
                        // what the console decodes: a lone surrogate was written as "?"
                        String arrived = new String(message.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
                        checks.answer(p.text(), arrived, lines);
                    } else {
                        // the console reads each piece as its own message
                        boolean answered = typed.stream().anyMatch(HostileChecks::addressed);
                        assertThat(lines.isEmpty()).as("answers to the lines of " + p).isEqualTo(!answered);
                        lines.forEach(l -> checks.answer(p.text(), "x", List.of(l)));
                    }
                    assertThat(lines).as(p.toString()).noneMatch(l -> l.contains("internal error"));
                }
            }
            bot.type("run leak --msg '$" + HostileInputs.SECRET_ENV + "'");
            List<String> leak = bot.expect("failed at step \"call", WAIT);
            assertThat(leak).anyMatch(l -> l.endsWith("| 0")).anyMatch(l -> l.endsWith("| token="))
                    .anyMatch(l -> l.endsWith("| $" + HostileInputs.SECRET_ENV))
                    .anyMatch(l -> l.contains("connection refused"));
            for (byte[] raw : invalidUtf8()) {
                bot.typeBytes(raw);
                sent++;
                checks.answer("", "raw bytes", untilSentinel(bot, sent));
            }
            bot.type("whoami");
            bot.expect("you are console:local", WAIT);
            int pages = scanWebPages(WebBrowserIT.baseUrl(bot, dir.resolve("buildduty.log")), checks);
            System.out.printf("hostile jar: %d web pages and logs scanned for the secret%n", pages);
            assertThat(bot.endInput(WAIT)).isZero();
            assertThat(canary).doesNotExist();
            checks.notIn("stdout", String.join("\n", bot.stdout()));
            checks.notIn("stderr", String.join("\n", bot.stderr()));
            assertThat(bot.stderr()).noneMatch(l -> l.contains("Exception") || l.contains("ERROR"));
        }
        assertThat(dir.resolve("buildduty.log")).exists();
        checks.notInFiles(dir);
        System.out.printf("hostile jar: %d messages, %d refused in one line, %d runs checked, %d s%n", sent,
                checks.refusals(), checks.runsChecked(),
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    /**
     * Reads the status page, every operation's page and plain log, and the event stream of the last one (the leak
     * run) from the bot's web server, and checks each for the secret and for raw markup; returns how many it read.
     */
    private static int scanWebPages(String base, HostileChecks checks) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int read = 0;
        String index = get(http, base + "/");
        checks.webPage(base + "/", index);
        read++;
        int last = 0;
        for (int id = 1; id < 10_000; id++) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/ops/" + id)).build(), HttpResponse.BodyHandlers
                    .ofString(StandardCharsets.UTF_8));
            if (page.statusCode() == 404) {
                break;
            }
            assertThat(page.statusCode()).as("/ops/" + id).isEqualTo(200);
            checks.webPage(base + "/ops/" + id, page.body());
            checks.notIn("web log /ops/" + id + "/log", get(http, base + "/ops/" + id + "/log"));
            read += 2;
            last = id;
        }
        assertThat(last).as("operations on the web page").isGreaterThan(100);
        checks.notIn("event stream /ops/" + last + "/events", get(http, base + "/ops/" + last + "/events"));
        return read + 1;
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create(url)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** The lines answering the last message, up to the answer to a numbered unknown command typed after it. */
    private static List<String> untilSentinel(BotProcess bot, int n) throws Exception {
        String sentinel = "zz-sentinel-" + n;
        bot.type(sentinel);
        List<String> lines = new ArrayList<>(bot.expect(sentinel, WAIT));
        lines.remove(lines.size() - 1);
        return lines;
    }

    /** Adds the output of a {@code hostile} run the answer started, up to its final status line. */
    private static void awaitRun(BotProcess bot, List<String> lines) throws InterruptedException {
        for (String l : List.copyOf(lines)) {
            Matcher m = STARTED.matcher(l);
            if (m.find()) {
                String done = "hostile #" + m.group(1) + " [############] 1/1 steps · succeeded";
                if (lines.stream().noneMatch(x -> x.contains(done))) {
                    lines.addAll(bot.expect(done, WAIT));
                }
                String link = "#" + m.group(1) + " log: http://127.0.0.1:";
                if (lines.stream().noneMatch(x -> x.startsWith(link))) {
                    lines.addAll(bot.expect(link, WAIT));
                }
            }
        }
    }

    /** The forms each sampled payload takes through the jar: the riskiest commands. */
    private static List<String> jarMessages(String payload) {
        String q = HostileInputs.quoted(payload);
        List<String> out = new ArrayList<>(List.of(payload, "run hostile --msg " + q, "run hostile --msg=" + payload,
                "reconfig --dry-run --masters=" + payload, "reconfig --dry-run --configs-dir " + q,
                "run demo-approval --message " + q, "op " + payload, "help " + q, "maintenance " + q,
                "announce " + q));
        return out;
    }

    private static List<byte[]> invalidUtf8() {
        List<byte[]> out = new ArrayList<>();
        for (String hex : List.of("ff", "c0af", "eda080", "f8888080", "80", "e282", "fe")) {
            byte[] b = new byte[hex.length() / 2];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
            }
            byte[] prefix = "run hostile --msg x".getBytes(StandardCharsets.US_ASCII);
            byte[] line = new byte[prefix.length + b.length];
            System.arraycopy(prefix, 0, line, 0, prefix.length);
            System.arraycopy(b, 0, line, prefix.length, b.length);
            out.add(line);
            out.add(b);
        }
        return out;
    }
}
