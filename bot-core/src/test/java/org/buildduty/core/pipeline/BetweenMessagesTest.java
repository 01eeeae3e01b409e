package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

/**
 * A live reload's swap of the commands, roles and inventory, made through {@link Engine#betweenMessages}: a command
 * handled while the swap is asked for sees the whole old set, the next one the whole new set.
 */
class BetweenMessagesTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeConnector chat = new FakeConnector("chat", Capabilities.terminal(), ticker);
    private final CountDownLatch midway = new CountDownLatch(1);
    private final CountDownLatch swapAsked = new CountDownLatch(1);
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Inventory> inventory = new AtomicReference<>(hosts("h-old"));
    private final AtomicReference<Engine> engineRef = new AtomicReference<>();
    private Engine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aCommandHandledWhileTheSwapIsAskedForSeesTheWholeOldSetAndTheNextOneTheWholeNewSet() throws Exception {
        CommandRegistry registry = registry("old");
        RoleResolver roles = new RoleResolver(Map.of("old-role", List.of("chat:alice")), Set.of(), Set.of());
        start(registry, roles);

        Thread connector = new Thread(() -> chat.say("alice", "#room", "!probe"), "connector");
        connector.start();
        assertThat(midway.await(10, TimeUnit.SECONDS)).isTrue();
        CommandRegistry next = registry("new");
        RoleResolver nextRoles = new RoleResolver(Map.of("new-role", List.of("chat:alice")), Set.of(), Set.of());
        swapAsked.countDown();
        String result = engine.betweenMessages(() -> {
            registry.replaceWith(next);
            roles.replaceWith(nextRoles);
            inventory.set(hosts("h-new"));
            return "swapped";
        });
        assertThat(result).isEqualTo("swapped");
        chat.say("alice", "#room", "!probe");
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();

        assertThat(seen).containsExactly("command old, role old-role, host h-old",
                "command new, role new-role, host h-new");
        connector.join(10_000);
    }

    @Test
    void aCommandsHandlerSwapsAtOnceWithoutWaitingForItself() throws Exception {
        CommandRegistry registry = registry("old");
        registry.register(CommandSpec.builder("swap").handler(ctx -> {
            try {
                return Outcome.reply(engineRef.get().betweenMessages(() -> "swapped inline"));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).build());
        start(registry, new RoleResolver(Map.of(), Set.of(), Set.of()));
        chat.say("alice", "#room", "!swap");
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(chat.texts()).contains("swapped inline");
    }

    private void start(CommandRegistry registry, RoleResolver roles) {
        Runner runner = Runner.builder().ticker(ticker).timerPeriod(Duration.ZERO).closeGrace(Duration.ofSeconds(1))
                .build();
        engine = Engine.builder().connector(chat).registry(registry).authorizer(new Authorizer(roles, true))
                .journal(new InMemoryJournal()).runner(runner).ticker(ticker).inventory(new Inventory() {
                    @Override
                    public Set<String> hosts() {
                        return inventory.get().hosts();
                    }

                    @Override
                    public Map<String, List<String>> groups() {
                        return inventory.get().groups();
                    }

                    @Override
                    public List<String> diskRoots(String host) {
                        return List.of();
                    }
                }).build();
        engineRef.set(engine);
        engine.start();
    }

    /** {@code probe}, which looks at the commands, then (once a swap was asked for) at the roles and hosts. */
    private CommandRegistry registry(String marker) {
        CommandRegistry r = new CommandRegistry();
        r.register(CommandSpec.builder("probe").handler(ctx -> {
            String command = ctx.bot().commands().get("old").isPresent() ? "old"
                    : ctx.bot().commands().get("new").isPresent() ? "new" : "none";
            midway.countDown();
            try {
                if (swapAsked.await(10, TimeUnit.SECONDS) && seen.isEmpty()) {
                    Thread.sleep(200);      // time for a swap that does not wait for the command to end
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seen.add("command " + command + ", role " + String.join(",", ctx.bot().rolesOf(ctx.caller()))
                    + ", host " + String.join(",", ctx.bot().inventory().hosts()));
            return Outcome.reply("probed");
        }).build());
        r.register(CommandSpec.builder(marker).handler(ctx -> Outcome.reply(marker)).build());
        return r;
    }

    private static Inventory hosts(String host) {
        return new Inventory() {
            @Override
            public Set<String> hosts() {
                return Set.of(host);
            }

            @Override
            public Map<String, List<String>> groups() {
                return Map.of();
            }

            @Override
            public List<String> diskRoots(String h) {
                return List.of();
            }
        };
    }
}
