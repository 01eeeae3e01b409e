package org.buildduty.app;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.app.logging.LogRedaction;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.time.Ticker;

/**
 * The bot built in-process by {@link Bot#build(BotConfig, Bot.ConsoleFactory)}, the app's own wiring, with the console
 * played by a {@link FakeConnector} with the terminal's capabilities, so each message's answer can be told apart from
 * the next one's. Log lines of the run are captured with the shipped file pattern (secrets masked).
 */
final class HostileBot implements AutoCloseable {
    /** The console connector's id in the test configuration. */
    static final String CONSOLE = "console";

    private final BotConfig cfg;
    private final FakeConnector console;
    private final Bot bot;
    private final Engine engine;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();

    private HostileBot(BotConfig cfg) {
        this.cfg = cfg;
        LogRedaction.install(Secrets.redactor(cfg));
        captureLog();
        this.console = new FakeConnector(CONSOLE, Capabilities.terminal(), Ticker.system());
        this.bot = Bot.build(cfg, (id, ticker, onEnd) -> console);
        this.engine = bot.engine();
        bot.start();
    }

    /** Loads {@code configFile} with {@code env} and starts the engine. */
    static HostileBot start(Path configFile, Map<String, String> env) {
        return new HostileBot(ConfigLoader.load(configFile, env));
    }

    private void captureLog() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%-5level [%thread] %logger{36} - %rmsg%n%rex");
        encoder.start();
        appender.setContext(ctx);
        appender.setName("hostile-capture");
        appender.setEncoder(encoder);
        appender.setOutputStream(log);
        appender.start();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    CommandRegistry registry() {
        return bot.catalog().registry();
    }

    List<Runbook> runbooks() {
        return bot.catalog().runbooks();
    }

    BotConfig config() {
        return cfg;
    }

    /**
     * Sends {@code text} from {@code console:local} as the console connector would, waits for the answer and for
     * every operation it started to end (one still running after {@code runFor} is cancelled), and returns every
     * line the bot sent meanwhile.
     */
    List<String> send(String text, Duration runFor) throws InterruptedException {
        console.clear();
        ChatMessage m = new ChatMessage(ChatAddress.of(CONSOLE, "console"), new Identity(CONSOLE, "local"), "local",
                text, true, Ticker.system().now());
        engine.handle(m);
        awaitIdle();
        long end = System.nanoTime() + runFor.toNanos();
        while (!running().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        for (Operation op : running()) {
            engine.api().cancel(op.id(), new Identity(CONSOLE, "local"));
        }
        while (!running().isEmpty()) {
            Thread.sleep(5);
        }
        awaitIdle();
        List<String> lines = new ArrayList<>();
        for (FakeConnector.Sent s : console.sent()) {
            lines.addAll(List.of(s.text().split("\n", -1)));
        }
        return lines;
    }

    /** The operations that are queued, running or rolling back (not those waiting for approval). */
    private List<Operation> running() {
        return engine.api().activeOperations().stream().filter(op -> op.state() != OperationState.PENDING_APPROVAL)
                .toList();
    }

    /** The raw texts sent for the last message, before being split into lines. */
    List<String> lastTexts() {
        return console.texts();
    }

    private void awaitIdle() throws InterruptedException {
        if (!engine.awaitIdle(Duration.ofSeconds(30))) {
            throw new AssertionError("the bot did not go idle within 30 s");
        }
    }

    /** What the bot logged so far, as the shipped file pattern writes it. */
    String log() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        try {
            bot.close();
        } finally {
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
            appender.stop();
            LogRedaction.install(org.buildduty.core.progress.Redactor.NONE);
        }
    }
}
