package org.buildduty.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.InventoryConfig;
import org.buildduty.commands.builtin.ReloadCommand;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.schedule.ScheduleService;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.pipeline.Engine;

/**
 * A live reload ({@code reload}, SIGHUP): reads the configuration file the bot started with again, validates it and
 * its runbooks exactly as start-up and {@code --check} do ({@link Catalog#of}), and on success replaces the runbook
 * commands, the roles and people, and the inventory in one step between two chat messages, so a command sees either
 * the whole old set or the whole new one. On any error nothing changes and the answer lists every error.
 *
 * <p>Operations already created keep their frozen plans: pending, queued and running ones run what they were
 * approved for, even when the reload removes or changes their runbook. What is read only at start (connectors,
 * the journal, the web page, the other {@code bot:} keys, {@code inventory.ssh}, services, credentials) is named in
 * the answer as waiting for a restart. A second reload while one is under way is refused with one line.
 */
final class Reloader implements ReloadCommand.Reloading {
    private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

    private final Supplier<BotConfig> source;
    private final Engine engine;
    private final CommandRegistry registry;
    private final RoleResolver roles;
    private final AtomicReference<InventoryConfig> inventory;
    private final Catalog.Commands fixed;
    private final Set<String> hostmaskConnectors;
    private final Set<String> ownerConnectors;
    private final List<BotService> services;
    private final ReentrantLock running = new ReentrantLock();
    private volatile ReloadDiff.Loaded current;

    /**
     * @param source reads and validates the configuration file again; throws {@link ConfigException}
     * @param started what the bot started with
     * @param live the catalog whose registry, roles and inventory the engine uses, replaced in place
     */
    Reloader(Supplier<BotConfig> source, Engine engine, BotConfig started, Catalog live) {
        this.source = source;
        this.engine = engine;
        this.registry = live.registry();
        this.roles = live.roles();
        this.inventory = live.inventory();
        this.fixed = live.commands();
        this.hostmaskConnectors = live.hostmaskConnectors();
        this.ownerConnectors = live.ownerConnectors();
        this.services = live.services();
        this.current = new ReloadDiff.Loaded(started, live.runbooks());
    }

    /** The runbooks in use now: those the bot started with, or those the last successful reload installed. */
    List<Runbook> runbooks() {
        return current.runbooks();
    }

    @Override
    public List<String> reload(String by) {
        if (!running.tryLock()) {
            return List.of("reload refused: another reload is under way; try again once it has answered");
        }
        try {
            return reloadNow(by);
        } finally {
            running.unlock();
        }
    }

    private List<String> reloadNow(String by) {
        ReloadDiff.Loaded next;
        CommandRegistry commands;
        RoleResolver nextRoles;
        List<Runbook> reloaded;
        List<String> warnings;
        try {
            BotConfig cfg = source.get();
            Catalog checked = Catalog.of(cfg);
            commands = fixed.with(checked.runbooks());
            reloaded = checked.runbooks();
            warnings = checked.warnings();
            // the connectors stay those the bot started with until a restart
            nextRoles = new RoleResolver(cfg.roles(), cfg.people(), hostmaskConnectors, ownerConnectors);
            next = new ReloadDiff.Loaded(cfg, checked.runbooks());
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            lines.add("reload failed, nothing changed (" + e.errors().size()
                    + (e.errors().size() == 1 ? " error" : " errors") + "):");
            lines.addAll(e.errors());
            lines.addAll(e.warnings());
            LOG.warn("reload by {} failed, nothing changed:\n{}", by, String.join("\n", e.errors()));
            return lines;
        } catch (BuilddutyException e) {
            LOG.warn("reload by {} failed, nothing changed: {}", by, e.getMessage());
            return List.of("reload failed, nothing changed: " + e.getMessage());
        }
        List<String> answer = new ArrayList<>(ReloadDiff.answer(current, next));
        if (!warnings.isEmpty()) {
            warnings.forEach(w -> LOG.warn("reload by {}: {}", by, w));
            answer.add(Main.count(warnings.size(), "warning") + " (in the log; buildduty --check prints them), the"
                    + " first: " + warnings.get(0).replaceFirst("^.*?: warning: ", ""));
        }
        try {
            engine.betweenMessages(() -> {
                registry.replaceWith(commands);
                roles.replaceWith(nextRoles);
                inventory.set(next.config().inventory());
                for (BotService s : services) {
                    if (s instanceof ScheduleService schedules) {
                        schedules.replace(reloaded);
                    }
                }
                current = next;
                return null;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("reload interrupted, nothing changed");
        } catch (IllegalStateException e) {
            return List.of("reload refused: the bot is stopping");
        }
        LOG.info("reload by {}: {}", by, String.join(" | ", answer));
        return answer;
    }
}
