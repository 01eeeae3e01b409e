package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.StepTemplate;
import org.buildduty.core.operation.OnRestart;

/** The wording of a reload's answer: what changed, and what waits for a restart. */
class ReloadDiffTest {
    private static final String BASE = """
            bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
            connectors:
              - { id: console, type: console }
              - { id: irc, type: irc, server: irc.example.org, nick: bd, channels: ["#releng"] }
            roles:
              releng: ["irc:alice", "irc:bob"]
              admin: ["irc:alice"]
            people:
              alice: ["irc:alice"]
            inventory:
              hosts:
                bm01: { address: 10.0.0.1, groups: [masters] }
                bm02: { address: 10.0.0.2, groups: [masters] }
            """;

    @Test
    void runbooksRolesPeopleHostsAndGroupsEachSayWhatWasAddedChangedAndRemoved() {
        BotConfig old = config(BASE);
        BotConfig now = config("""
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors:
                  - { id: console, type: console }
                  - { id: irc, type: irc, server: irc.example.org, nick: bd, channels: ["#releng"] }
                roles:
                  releng: ["irc:alice", "irc:carol"]
                  oncall: ["irc:dave"]
                people:
                  alice: ["irc:alice"]
                  carol: ["irc:carol"]
                inventory:
                  hosts:
                    bm01: { address: 10.0.0.11, groups: [masters] }
                    bm80: { address: 10.0.0.80, groups: [masters, new] }
                """);
        List<String> answer = ReloadDiff.answer(
                new ReloadDiff.Loaded(old, List.of(runbook("reconfig", "echo 1"), runbook("old", "echo old"),
                        runbook("same", "true"))),
                new ReloadDiff.Loaded(now, List.of(runbook("kernelci-update", "echo k"), runbook("reconfig", "echo 2"),
                        runbook("same", "true"))));
        assertThat(answer).containsExactly("reloaded: runbooks +kernelci-update ~reconfig -old; "
                + "roles: admin (removed) -irc:alice, oncall (new) +irc:dave, releng +irc:carol -irc:bob; "
                + "people: carol (new) +irc:carol; hosts +bm80 ~bm01 -bm02; "
                + "groups: masters +bm80 -bm02, new (new) +bm80");
    }

    @Test
    void nothingChangedSaysSo() {
        BotConfig cfg = config(BASE);
        ReloadDiff.Loaded loaded = new ReloadDiff.Loaded(cfg, List.of(runbook("reconfig", "echo 1")));
        assertThat(ReloadDiff.answer(loaded, new ReloadDiff.Loaded(config(BASE),
                List.of(runbook("reconfig", "echo 1"))))).containsExactly("reloaded: no changes");
    }

    @Test
    void connectorsTheWebPageAndOtherStartOnlySettingsAreNamedAsWaitingForARestart() {
        BotConfig now = config(BASE.replace("irc.example.org", "irc2.example.org")
                .replace("web: \"off\"", "web: \"127.0.0.1:9090\", prefix: \"?\"")
                .replace("bot: {", "bot: { private_approvals: true,"));
        List<String> answer = ReloadDiff.answer(new ReloadDiff.Loaded(config(BASE), List.of()),
                new ReloadDiff.Loaded(now, List.of()));
        assertThat(answer).containsExactly("reloaded: no changes",
                "not applied until restart: connectors (irc), prefix, web, private_approvals");
    }

    @Test
    void aConnectorMovedInTheFileIsNoChange() {
        BotConfig now = config("# a comment moves every line\n" + BASE);
        assertThat(ReloadDiff.restartOnly(config(BASE), now)).isEmpty();
    }

    private static BotConfig config(String yaml) {
        return ConfigLoader.parse("buildduty.yml", yaml, Map.of(), Path.of("/srv/bd"));
    }

    private static Runbook runbook(String name, String command) {
        StepTemplate step = new StepTemplate("one", "local", Map.of("command", command), "", "", null, null, null,
                null);
        return new Runbook(name, "", "", "", null, List.of(), List.of(step), null, OnRestart.REPORT, List.of(), null,
                "runbooks/" + name + ".yml");
    }
}
