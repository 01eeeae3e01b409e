package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/**
 * The real jar, driven through the console, running a runbook on a real sshd and a loopback HTTP server: chat text
 * reaches the remote shell only quoted, an http step's kept value feeds a later ssh step, a bearer credential goes
 * out but never shows, and a changed host key is refused with the host and fingerprint.
 */
class SshHttpEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "tok-s3cr3t-XYZ";

    @TempDir
    Path dir;

    private Sshd sshd;
    private HttpServer http;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void servers() throws IOException {
        sshd = Sshd.start(dir.resolve("sshd"));
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/builds", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth="
                        + exchange.getRequestHeaders().getFirst("Authorization") + " body="
                        + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            byte[] out = "{\"build\": {\"id\": 4711}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        http.start();
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/deploy.yml"), """
                name: deploy
                role: anyone
                params:
                  targets: { type: group, default: web }
                  msg: { type: string }
                  count: { type: int, default: 2 }
                steps:
                  - name: greet
                    ssh:
                      hosts: "{{targets}}"
                      parallel: 2
                      command: "printf 'on %s: [%s]\\\\n' {{host}} {{msg}}"
                    timeout: 1m
                  - name: start build
                    http:
                      method: POST
                      url: "http://127.0.0.1:HTTP_PORT/api/builds?reason={{msg}}"
                      auth: ci
                      body: { reason: "{{msg}}", count: "{{count}}", scratch: true }
                      expect: 201
                      keep: { build: "$.build.id" }
                  - name: report
                    ssh:
                      hosts: web1
                      command: "echo build {{build}} for {{msg}}"
                  - name: wait for the flag
                    wait_until:
                      host: web2
                      command: "cat FLAG_FILE"
                      until: { path: "$.state", equals: done }
                      interval: 1s
                    timeout: 1m
                """.replace("HTTP_PORT", Integer.toString(http.getAddress().getPort()))
                .replace("FLAG_FILE", dir.resolve("flag.json").toString()));
        Files.writeString(dir.resolve("flag.json"), "{\"state\": \"done\"}\n");
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                credentials:
                  ci: { type: bearer, url: "http://127.0.0.1:%d/api", token_env: CI_TOKEN }
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 5s, keepalive: 2s }
                  hosts:
                    web1: { address: 127.0.0.1, port: %d, groups: [web] }
                    web2: { address: 127.0.0.1, port: %d, groups: [web] }
                    web3: { address: 127.0.0.1, port: %d, groups: [web] }
                """.formatted(http.getAddress().getPort(), sshd.clientKey(), sshd.user(), sshd.port(), sshd.port(),
                sshd.port()));
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.stop(0);
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void runbookOverSshAndHttpWithHostileTextAndAChangedHostKey() throws Exception {
        Path canary = dir.resolve("CANARY");
        String hostile = "x'; touch " + canary + "; echo '$(touch " + canary + ") `touch " + canary + "`";
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("CI_TOKEN", TOKEN))) {
            bot.type("run deploy --msg \"" + hostile.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            List<String> run = bot.expect("deploy #1", WAIT);
            run.addAll(bot.expect("4/4 steps · succeeded", WAIT));
            String all = String.join("\n", bot.stdout());
            assertThat(all).contains("on web1: [" + hostile + "]").contains("on web3: [" + hostile + "]")
                    .contains("build 4711 for " + hostile).contains("condition met").doesNotContain(TOKEN);
            assertThat(canary).doesNotExist();
            assertThat(received).hasSize(1);
            assertThat(received.get(0)).startsWith("POST /api/builds?reason=x%27%3B%20touch")
                    .contains(" auth=Bearer " + TOKEN + " ")
                    .contains("\"count\":2").contains("\"scratch\":true")
                    .contains("\"reason\":\"" + hostile.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");

            // sshd down, then back: the run while it is down fails at its first step with the reason and nothing
            // after it runs; the pooled connections are dead, and the next run opens new ones and succeeds
            sshd.kill();
            bot.type("run deploy --msg down");
            List<String> down = bot.expect("deploy #2 failed at step \"greet\"", WAIT);
            assertThat(String.join("\n", down)).contains("connection refused");
            assertThat(received).as("no HTTP call after the failed step").hasSize(1);
            sshd.restart();
            bot.type("run deploy --msg back");
            bot.expect("deploy #3", WAIT);
            bot.expect("4/4 steps · succeeded", WAIT);
            assertThat(String.join("\n", bot.stdout())).contains("on web1: [back]").contains("on web3: [back]")
                    .doesNotContain("on web1: [down]");
            assertThat(received).hasSize(2);

            sshd.regenerateHostKey();
            bot.type("run deploy --msg again");
            List<String> refused = bot.expect("deploy #4", WAIT);
            refused.addAll(bot.expect("· failed", WAIT));
            // the hosts refused the same way: the first is said in full, the other folded into one line
            assertThat(String.join("\n", bot.stdout())).containsPattern("host key of web[12] ")
                    .containsPattern("#4 failed the same way on web[12]")
                    .contains(sshd.hostKeyFingerprint()).doesNotContain("on web1: [again]");

            assertThat(bot.endInput(WAIT)).isZero();
        }
        assertThat(Files.readString(dir.resolve("buildduty.log"))).doesNotContain(TOKEN);
        assertThat(canary).doesNotExist();
    }
}
