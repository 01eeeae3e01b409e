package org.buildduty.app.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.config.ServiceSettings;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.time.Ticker;

/**
 * One external service the bot can talk to: how its entry of {@code services:} is read (the service package's
 * reader) and what the bot gets from it when it is configured (step executors, commands, background services).
 * {@link ServiceTypes} lists them.
 *
 * @param reader    reads {@code services.<name>}; it defines every option and its default
 * @param settings  the class of the settings the reader returns
 * @param installer makes the service's executors, commands and background services from its settings
 * @param unconfigured the step executors of a bot without this service: its step kinds still load (their
 *                  arguments checked) and fail at run in one line naming the key that enables them; none by default
 * @param <S>       the settings
 */
public record ServiceType<S extends ServiceSettings>(ServiceSettings.Reader<S> reader, Class<S> settings,
        Installer<S> installer, Supplier<List<StepExecutor>> unconfigured) {

    /** A service whose step kinds are unknown without it. */
    public ServiceType(ServiceSettings.Reader<S> reader, Class<S> settings, Installer<S> installer) {
        this(reader, settings, installer, List::of);
    }

    /** The key under {@code services:}. */
    public String name() {
        return reader.name();
    }

    /**
     * What the service gives the bot, when {@code services} configures it; otherwise its {@link #unconfigured}
     * executors, if any (no commands, no background services). Creating it opens nothing.
     */
    public Optional<Installed> install(ServicesConfig services, Wiring wiring) {
        Optional<Installed> configured = services.get(settings).map(s -> installer.install(s, wiring));
        if (configured.isPresent()) {
            return configured;
        }
        List<StepExecutor> absent = unconfigured.get();
        return absent.isEmpty() ? Optional.empty() : Optional.of(new Installed(absent, registry -> { }, List.of()));
    }

    /** Makes what a configured service gives the bot. */
    @FunctionalInterface
    public interface Installer<S> {
        Installed install(S settings, Wiring wiring);
    }

    /**
     * What a service may need from the bot: the clock, and the folder {@code force} keeps its git fetches in.
     */
    public record Wiring(Ticker ticker, Path gitCache) {
    }

    /**
     * What a configured service gives the bot.
     *
     * @param executors its step kinds
     * @param commands  registers its commands
     * @param services  its background services (started and stopped with the engine)
     */
    public record Installed(List<StepExecutor> executors, Consumer<CommandRegistry> commands,
            List<BotService> services) {
        public Installed {
            executors = List.copyOf(executors);
            services = List.copyOf(services);
        }
    }
}
