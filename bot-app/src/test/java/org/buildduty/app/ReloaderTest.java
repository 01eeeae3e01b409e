package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.app.web.WebServer;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.Sshd;

/**
 * The bot's reloader, in-process (the bot is built, not started: no connector connects): what the engine's commands,
 * roles and inventory are after a reload, and a second reload while one is under way.
 */
class ReloaderTest {
    private static final String CONFIG = """
            bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
            connectors:
              - { id: console, type: console }
              - { id: irc, type: irc, server: 127.0.0.1, port: 1, tls: false, nick: bd, channels: ["#releng"] }
            """;

    @TempDir
    Path dir;
    private Bot bot;

    @AfterEach
    void close() {
        if (bot != null) {
            bot.close();
        }
    }

    @Test
    void aReloadSwapsTheCommandsRolesAndInventoryTheEngineUses() throws IOException {
        Files.writeString(dir.resolve("buildduty.yml"), CONFIG + """
                roles: { releng: ["irc:alice"] }
                inventory: { hosts: { bm01: { address: 10.0.0.1, groups: [masters] } } }
                """);
        aliasRunbook("hello", "hi");
        build(() -> ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir));
        BotApi api = bot.engine().api();
        Identity carol = new Identity("irc", "carol");
        assertThat(api.rolesOf(carol)).isEmpty();
        assertThat(api.commands().get("hi")).isPresent();

        Files.writeString(dir.resolve("buildduty.yml"), CONFIG + """
                roles: { releng: ["irc:alice", "irc:carol"], admin: ["irc:carol"] }
                inventory:
                  hosts:
                    bm01: { address: 10.0.0.1, groups: [masters] }
                    bm02: { address: 10.0.0.2, groups: [masters] }
                """);
        Files.delete(dir.resolve("runbooks/hello.yml"));
        aliasRunbook("hello2", "hey");
        assertThat(reload()).containsExactly("reloaded: runbooks +hello2 -hello; roles: admin (new) +irc:carol, "
                + "releng +irc:carol; hosts +bm02; groups: masters +bm02");

        assertThat(api.rolesOf(carol)).containsExactly("admin", "releng");
        assertThat(api.inventory().group("masters")).contains(List.of("bm01", "bm02"));
        assertThat(api.commands().get("hey")).isPresent();
        assertThat(api.commands().get("hi")).isEmpty();
        assertThat(api.commands().get("reload")).isPresent();
    }

    @Test
    void aSecondReloadWhileOneIsUnderWayIsRefusedInOneLine() throws Exception {
        Files.writeString(dir.resolve("buildduty.yml"), CONFIG);
        aliasRunbook("hello", "hi");
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Boolean> slow = new AtomicReference<>(false);
        build(() -> {
            if (slow.get()) {
                reading.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir);
        });
        slow.set(true);
        AtomicReference<List<String>> first = new AtomicReference<>();
        Thread t = new Thread(() -> first.set(reload()));
        t.start();
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reload()).containsExactly(
                "reload refused: another reload is under way; try again once it has answered");
        release.countDown();
        t.join(10_000);
        assertThat(first.get()).containsExactly("reloaded: no changes");
    }

    @Test
    void theRunbooksPageListsTheRunbooksOfTheLastReload() throws Exception {
        Files.writeString(dir.resolve("buildduty.yml"), CONFIG);
        aliasRunbook("hello", "hi");
        build(() -> ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir));
        // what Bot.start gives the web page
        try (WebServer web = WebServer.start(WebServer.Settings.of("127.0.0.1", 0), bot.engine(),
                id -> Optional.empty(), bot::runbooks)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create(web.baseUrl() + "/runbooks")).build();
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).contains("id=\"rb-hello\"")
                    .doesNotContain("id=\"rb-hello2\"");

            Files.delete(dir.resolve("runbooks/hello.yml"));
            aliasRunbook("hello2", "hey");
            assertThat(reload()).containsExactly("reloaded: runbooks +hello2 -hello");
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).contains("id=\"rb-hello2\"")
                    .doesNotContain("id=\"rb-hello\"");
        }
    }

    @Test
    void aReloadChecksTheSshFilesAsTheStartDoesAndNamesItsWarnings() throws IOException {
        Files.writeString(dir.resolve("buildduty.yml"), CONFIG);
        aliasRunbook("hello", "hi");
        build(() -> ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir));
        Path known = Files.writeString(dir.resolve("known_hosts"), "");

        Files.writeString(dir.resolve("buildduty.yml"), CONFIG + """
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: id_missing }
                  hosts: { bm01: { address: 10.0.0.1 } }
                """);
        assertThat(reload()).containsExactly("reload failed, nothing changed (1 error):",
                dir.resolve("buildduty.yml") + ":6: inventory.ssh.key_file: " + dir.resolve("id_missing")
                        + " does not exist",
                dir.resolve("buildduty.yml") + ":7: inventory.hosts.bm01: warning: no host key for 10.0.0.1 in "
                        + known + "; once you have checked its fingerprint, add it: ssh-keyscan -p 22 10.0.0.1 >> "
                        + known);
        assertThat(bot.engine().api().inventory().hosts()).isEmpty();

        Sshd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t", "-f", dir.resolve("id").toString());
        Files.writeString(dir.resolve("buildduty.yml"), CONFIG + """
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: id }
                  hosts: { bm01: { address: 10.0.0.1 } }
                """);
        assertThat(reload()).containsExactly("reloaded: hosts +bm01", "not applied until restart: inventory.ssh",
                "1 warning (in the log; buildduty --check prints them), the first: no host key for 10.0.0.1 in "
                        + known + "; once you have checked its fingerprint, add it: ssh-keyscan -p 22 10.0.0.1 >> "
                        + known);
    }

    private List<String> reload() {
        return bot.catalog().reloading().get().reload("test");
    }

    private void build(Supplier<BotConfig> source) {
        BotConfig cfg = source.get();
        FakeConnector console = new FakeConnector("console", Capabilities.terminal(), Ticker.system());
        bot = Bot.build(cfg, source, (id, ticker, onEnd) -> console);
    }

    private void aliasRunbook(String name, String alias) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/" + name + ".yml"), String.join("\n",
                "name: " + name,
                "alias: " + alias,
                "role: anyone",
                "steps:",
                "  - name: one",
                "    local: { command: \"true\" }",
                ""));
    }
}
