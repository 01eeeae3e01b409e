package org.buildduty.commands.mbs;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;

/**
 * The MBS watch commands, registered when the configuration has {@code services.mbs}: {@code mbs watch <id>} and
 * {@code mbs unwatch <id>}, for anyone.
 *
 * <pre>{@code
 * MbsWatchCommands.register(registry, watches);
 * }</pre>
 */
public final class MbsWatchCommands {
    private MbsWatchCommands() {
    }

    /** Registers {@code mbs watch} and {@code mbs unwatch}. */
    public static void register(CommandRules rules, MbsWatches watches) {
        rules.register(CommandSpec.builder("mbs watch")
                .summary("a status thread for a module build: a summary, then what changes, until it ends")
                .usage("<id>").positional("id", 1, 1)
                .handler(ctx -> Outcome.reply(watches.watch(ctx.message(),
                        MbsCommands.id(ctx.args().positionals().get(0)), ctx.bot()))).build());
        rules.register(CommandSpec.builder("mbs unwatch")
                .summary("stop the status thread of a module build in this room")
                .usage("<id>").positional("id", 1, 1)
                .handler(ctx -> Outcome.reply(watches.unwatch(ctx.message().room(),
                        MbsCommands.id(ctx.args().positionals().get(0))))).build());
    }
}
