package org.buildduty.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the IRC end-to-end tests share: the bot's account password, its channel, and starting the jar. */
final class IrcBot {
    /** The password of the bot's services account {@code buildduty}. */
    static final String BOT_PASSWORD = "botpass-4711";
    static final String CHANNEL = "#releng";

    private IrcBot() {
    }

    /**
     * Writes {@code dir/runbooks/book.yml} (unless {@code runbook} is null) and {@code dir/buildduty.yml}: the bot
     * buildduty, one IRC connector {@code testnet} to 127.0.0.1 with {@code connectorLines} (how to reach the
     * server), logging in with SASL as buildduty ({@code IRC_PASSWORD}) into {@link #CHANNEL}; releng is
     * testnet:alice; then the {@code more} lines.
     */
    static void writeConfig(Path dir, String runbook, String connectorLines, String more) throws IOException {
        writeConfig(dir, runbook, connectorLines, more, List.of(CHANNEL));
    }

    /** The same, the bot joining {@code channels} (the first is {@link #CHANNEL} by convention). */
    static void writeConfig(Path dir, String runbook, String connectorLines, String more, List<String> channels)
            throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        if (runbook != null) {
            Files.writeString(dir.resolve("runbooks/book.yml"), runbook);
        }
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { nick: buildduty, journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors:
                  - id: testnet
                    type: irc
                    server: 127.0.0.1
                    %s
                    sasl: { account: buildduty, password_env: IRC_PASSWORD }
                    channels: [%s]
                roles:
                  releng: ["testnet:alice"]
                %s""".formatted(connectorLines, String.join(", ", channels.stream().map(c -> "\"" + c + "\"")
                .toList()), more));
    }

    /**
     * Starts the jar with {@code dir/buildduty.yml} and {@code IRC_PASSWORD=password}, and waits up to {@code wait}
     * until it says it is ready.
     */
    static BotProcess start(Path dir, String password, Duration wait) throws Exception {
        BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of("IRC_PASSWORD", password));
        bot.expectErr("buildduty ready", wait);
        return bot;
    }
}
