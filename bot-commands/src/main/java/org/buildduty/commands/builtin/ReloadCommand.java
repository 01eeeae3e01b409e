package org.buildduty.commands.builtin;

import java.util.List;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;

/**
 * {@code reload}: reads the runbooks, roles, people and inventory again from the configuration file the bot started
 * with and answers with what changed, or with every error (then nothing changed). It needs the built-in role
 * {@value #ROLE}, which the console holds and {@code roles:} may grant like any other.
 */
public final class ReloadCommand {
    /** The role {@code reload} needs. */
    public static final String ROLE = "admin";

    /** What does the reload: the answer lines (the difference, or every error, one per line). */
    @FunctionalInterface
    public interface Reloading {
        /** Reloads; {@code by} (an identity, or {@code SIGHUP}) is for the log. */
        List<String> reload(String by);
    }

    private ReloadCommand() {
    }

    /** Registers {@code reload}, answering with what {@code reloading} says. */
    public static void register(CommandRules rules, Reloading reloading) {
        rules.register(CommandSpec.builder("reload")
                .summary("read the runbooks, roles, people and inventory again; answers what changed")
                .role(ROLE)
                .handler(ctx -> Outcome.reply(reloading.reload(ctx.caller().toString())))
                .build());
    }
}
