package org.buildduty.commands.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.testing.TestBot;

/** {@code reload} needs the built-in role admin, granted under {@code roles:} like any role. */
class ReloadCommandTest {
    private final List<String> reloadedBy = new ArrayList<>();
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    @Test
    void anIdentityWithoutAdminIsRefusedInOneLineAndNothingIsReloaded() {
        bot = TestBot.builder().commands(BuiltinCommands::commands)
                .commands(r -> ReloadCommand.register(r, by -> {
                    reloadedBy.add(by);
                    return List.of("reloaded: runbooks +kernelci-update", "not applied until restart: web");
                }))
                .role("admin", "alice").role("releng", "bob").anonymous(true).build();

        assertThat(bot.send("bob", "!reload")).containsExactly(
                "not allowed: reload needs role admin (you are chat:bob)");
        assertThat(reloadedBy).isEmpty();

        assertThat(bot.send("alice", "!reload")).containsExactly("reloaded: runbooks +kernelci-update",
                "not applied until restart: web");
        assertThat(reloadedBy).containsExactly("chat:alice");

        assertThat(bot.send("alice", "!help reload")).anyMatch(l -> l.contains("reload"));
    }
}
