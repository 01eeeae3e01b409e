package org.buildduty.app.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.time.Ticker;

/**
 * One type of connector the bot can run: how its entries are read (the connector package's reader), how its settings
 * become the connector's own configuration, and how the bot starts it. {@link ConnectorTypes} lists them.
 *
 * @param reader    reads {@code type: <name>} entries; it defines every option and its default
 * @param settings  the class of the settings the reader returns
 * @param local     true for the terminal: its identities own the bot, and the end of its input stops the bot
 * @param configure the connector's configuration from the settings, for connector id; may read files (an IRC
 *                  {@code tls_ca_file}) and throw {@link BuilddutyException} with one line naming the problem
 * @param starter   makes the connector from that configuration
 * @param <S>       the settings
 * @param <C>       the connector's configuration
 */
public record ConnectorType<S extends ConnectorSettings, C>(ConnectorSettings.Reader<S> reader, Class<S> settings,
        boolean local, BiFunction<String, S, C> configure, Starter<C> starter) {

    /** The value of {@code type:}. */
    public String name() {
        return reader.type();
    }

    /** Checks what the configuration cannot check while loading (files the connector reads); errors to {@code out}. */
    public void check(ConnectorConfig c, Consumer<String> out) {
        try {
            configure(c);
        } catch (BuilddutyException e) {
            out.accept(c.node().where() + ": " + e.getMessage());
        }
    }

    /** Makes the connector of entry {@code c}; a problem with its files throws {@link ConfigException}. */
    public Started start(ConnectorConfig c, Wiring wiring) {
        C config;
        try {
            config = configure(c);
        } catch (BuilddutyException e) {
            throw new ConfigException(c.node().where() + ": " + e.getMessage());
        }
        return starter.start(c.id(), config, wiring);
    }

    private C configure(ConnectorConfig c) {
        return configure.apply(c.id(), c.settings(settings));
    }

    /** Makes a connector from its configuration. */
    @FunctionalInterface
    public interface Starter<C> {
        Started start(String id, C config, Wiring wiring);
    }

    /**
     * What a connector may need from the bot: the clock, the journal (for cursors kept across restarts), and the
     * terminal connector the bot was given for {@code type: console} (by connector id).
     */
    public record Wiring(Ticker ticker, Journal journal, Function<String, Connector> console, Runnable beforeWrite) {
        /** Wiring whose connectors check nothing before they write (not a leader of a shared journal). */
        public Wiring(Ticker ticker, Journal journal, Function<String, Connector> console) {
            this(ticker, journal, console, () -> { });
        }
    }

    /**
     * A connector made, and how start-up waits for its connection: not at all, in a first round (IRC), or after it.
     * {@code await} throws {@link BuilddutyException} with one line when the login is refused.
     */
    public record Started(Connector connector, Optional<Consumer<Duration>> await, boolean firstRound) {
        /** A connector start-up does not wait for. */
        public static Started now(Connector c) {
            return new Started(c, Optional.empty(), false);
        }

        /** A connector start-up waits for, after those of the first round. */
        public static Started awaited(Connector c, Consumer<Duration> await) {
            return new Started(c, Optional.of(await), false);
        }

        /** A connector start-up waits for in the first round. */
        public static Started awaitedFirst(Connector c, Consumer<Duration> await) {
            return new Started(c, Optional.of(await), true);
        }
    }
}
