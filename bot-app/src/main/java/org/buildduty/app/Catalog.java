package org.buildduty.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConnectorConfig;
import org.buildduty.app.config.InventoryConfig;
import org.buildduty.app.config.ServiceType;
import org.buildduty.app.config.ServiceTypes;
import org.buildduty.app.exec.SshFileChecks;
import org.buildduty.app.exec.StepKinds;
import org.buildduty.commands.announce.AnnounceCommands;
import org.buildduty.commands.buildbot.BuildbotSettings;
import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.commands.builtin.ReloadCommand;
import org.buildduty.commands.disk.DiskCommands;
import org.buildduty.commands.maintenance.MaintenanceCommands;
import org.buildduty.commands.maintenance.MaintenanceSchedule;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookCommands;
import org.buildduty.commands.runbook.RunbookLoader;
import org.buildduty.commands.schedule.ScheduleCommands;
import org.buildduty.commands.schedule.ScheduleService;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.LateAnnouncer;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigProblems;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Ticker;

/**
 * What the configuration and runbooks define, checked, before anything starts or is opened; {@code announcer} is
 * bound to the engine once built, and {@code reloading} to the bot's {@link Reloader}. The registry, the roles
 * and the inventory are the objects the engine and the {@code ssh} executor keep: a live reload replaces what
 * they hold.
 *
 * @param commands the commands that are not runbooks', kept across reloads
 * @param hostmaskConnectors the connectors whose principals are hostmasks
 * @param ownerConnectors the local connectors (the console), whose identities hold every role
 * @param warnings what may fail later but does not stop the start ({@code file:line: field: warning: ...}):
 *     printed by {@code --check}, logged at start and by a reload
 */
record Catalog(List<StepExecutor> executors, CommandRegistry registry, List<Runbook> runbooks, RoleResolver roles,
        LateAnnouncer announcer, List<BotService> services, Commands commands,
        AtomicReference<InventoryConfig> inventory, Set<String> hostmaskConnectors, Set<String> ownerConnectors,
        AtomicReference<ReloadCommand.Reloading> reloading, List<String> warnings) {
    int runbookCount() {
        return runbooks.size();
    }

    /**
     * Loads the runbooks, registers the commands and checks the connectors (an IRC connector's {@code tls_ca_file}
     * is read) and the SSH key and known_hosts files ({@link SshFileChecks}); touches no journal, network or
     * terminal, so {@code --check} and a reload can run beside a running bot. Errors throw {@link ConfigException},
     * all of them at once; warnings are in the catalog.
     */
    static Catalog of(BotConfig cfg) {
        ServiceType.Wiring serviceWiring = new ServiceType.Wiring(Ticker.system(), gitCache(cfg));
        List<ServiceType.Installed> installed = new ArrayList<>();
        Set<String> installedNames = new HashSet<>();
        for (ServiceType<?> type : ServiceTypes.ALL) {
            type.install(cfg.services(), serviceWiring).ifPresent(i -> {
                installed.add(i);
                installedNames.add(type.name());
            });
        }
        LateAnnouncer announcer = new LateAnnouncer();
        AtomicReference<InventoryConfig> inventory = new AtomicReference<>(cfg.inventory());
        List<StepExecutor> executors = StepKinds.of(cfg, inventory::get, Secrets.environmentNames(cfg),
                Ticker.system(), installed.stream().flatMap(i -> i.executors().stream()).toList(), announcer);
        Set<String> kinds = new HashSet<>();
        executors.forEach(e -> kinds.add(e.kind()));
        kinds.add(StepSpec.CONFIRM);   // run by the runner itself: it pauses the operation
        Set<String> connectorIds = new HashSet<>();
        cfg.connectors().forEach(c -> connectorIds.add(c.id()));
        List<String> problems = new ArrayList<>();
        List<Runbook> runbooks = List.of();
        if (!Files.isDirectory(cfg.bot().runbooks())) {
            problems.add(cfg.source() + ": bot.runbooks: the runbook folder " + cfg.bot().runbooks()
                    + " does not exist (relative paths resolve against the folder of the configuration file, "
                    + cfg.baseDir() + ")");
        } else {
            try {
                runbooks = RunbookLoader.loadAll(cfg.bot().runbooks(), kinds,
                        ServiceTypes.unavailableKinds(installedNames), executors, cfg.inventory(), connectorIds);
            } catch (ConfigException e) {
                problems.addAll(e.errors());
            }
        }
        SshFileChecks.Found ssh = SshFileChecks.check(cfg.inventory());
        problems.addAll(0, ssh.errors());   // the configuration file's lines before the runbooks'

        CommandRegistry before = new CommandRegistry();
        BuiltinCommands.commands(before);
        AtomicReference<ReloadCommand.Reloading> reloading = new AtomicReference<>(
                by -> List.of("reload is not available: the bot was not started from a configuration file"));
        ReloadCommand.register(before, by -> reloading.get().reload(by));
        AnnounceCommands.register(before);
        List<BotService> services = new ArrayList<>();
        MaintenanceSchedule maintenance = new MaintenanceSchedule(runbooks, cfg.services()
                .get(BuildbotSettings.class).map(b -> MaintenanceSchedule.RunningBuilds.of(b.client())).orElse(null));
        MaintenanceCommands.register(before, maintenance);
        services.add(maintenance);
        ScheduleService schedules = new ScheduleService(runbooks);
        ScheduleCommands.register(before, schedules);
        services.add(schedules);
        CommandRegistry after = new CommandRegistry();
        DiskCommands.register(after);
        for (ServiceType.Installed service : installed) {
            service.commands().accept(after);
            services.addAll(service.services());
        }
        Commands commands = new Commands(before.all(), after.all(), ServiceTypes.notConfigured(installedNames));
        CommandRegistry registry = null;
        try {
            registry = commands.with(runbooks);
        } catch (ConfigException e) {
            problems.addAll(e.errors());
        }

        Set<String> hostmask = new HashSet<>();
        Set<String> owners = new HashSet<>();
        for (ConnectorConfig c : cfg.connectors()) {
            if (c.connectorType().local()) {
                owners.add(c.id());
            } else if (c.settings().hostmaskPrincipals()) {
                hostmask.add(c.id());
            }
            c.connectorType().check(c, problems::add);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems, ssh.warnings());
        }
        return new Catalog(executors, registry, List.copyOf(runbooks),
                new RoleResolver(cfg.roles(), cfg.people(), hostmask, owners),
                announcer, services, commands, inventory, Set.copyOf(hostmask), Set.copyOf(owners), reloading,
                ssh.warnings());
    }

    /** Where {@code force} keeps shallow fetches for commit subjects: beside the journal. */
    private static Path gitCache(BotConfig cfg) {
        Path parent = cfg.bot().journal().toAbsolutePath().getParent();
        return parent.resolve("git-cache");
    }

    /**
     * The commands that are not runbooks', registered before and after the runbooks' ({@code run} and each alias) so
     * {@code help} lists them in a fixed order, and the command words of the services not configured with the line
     * that answers them ({@link CommandRegistry#notConfigured(String, String)}).
     */
    record Commands(List<CommandSpec> before, List<CommandSpec> after, Map<String, String> notConfigured) {
        Commands {
            before = List.copyOf(before);
            after = List.copyOf(after);
            notConfigured = Map.copyOf(notConfigured);
        }

        /**
         * A registry of these commands and those of {@code runbooks}. An alias that another command already has
         * ({@code help}, {@code run}, ...) is a {@link ConfigException}, {@code file:line: alias: message}, at start,
         * in {@code --check} and in a reload alike.
         */
        CommandRegistry with(List<Runbook> runbooks) {
            Set<String> taken = new HashSet<>(Set.of("run"));
            before.forEach(c -> {
                taken.add(c.name());
                taken.addAll(c.aliases());
            });
            after.forEach(c -> {
                taken.add(c.name());
                taken.addAll(c.aliases());
            });
            ConfigProblems problems = new ConfigProblems();
            for (Runbook rb : runbooks) {
                if (!rb.alias().isEmpty() && taken.contains(rb.alias())) {
                    aliasTaken(rb, problems);
                }
            }
            problems.throwIfAny();
            CommandRegistry registry = new CommandRegistry();
            before.forEach(registry::register);
            RunbookCommands.register(registry, runbooks);
            after.forEach(registry::register);
            notConfigured.forEach(registry::notConfigured);
            return registry;
        }

        private static void aliasTaken(Runbook rb, ConfigProblems problems) {
            String message = "\"" + rb.alias() + "\" is already a command of the bot; choose another alias";
            Optional<ConfigNode> at = Optional.empty();
            try {
                at = ConfigNode.load(Path.of(rb.source())).get("alias");
            } catch (ConfigException e) {
                // the file changed since it was read: name the file only
            }
            if (at.isPresent()) {
                problems.add(at.get(), message);
            } else {
                problems.add(rb.source() + ": alias: " + message);
            }
        }
    }
}
