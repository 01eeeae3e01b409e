package org.buildduty.commands.mbs;

import org.buildduty.core.InvalidValueException;
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
                .handler(ctx -> Outcome.reply(watches.watch(ctx.message(), id(ctx.args().positionals().get(0)),
                        ctx.bot()))).build());
        rules.register(CommandSpec.builder("mbs unwatch")
                .summary("stop the status thread of a module build in this room")
                .usage("<id>").positional("id", 1, 1)
                .handler(ctx -> Outcome.reply(watches.unwatch(ctx.message().room(),
                        id(ctx.args().positionals().get(0))))).build());
    }

    /** A module build id: a positive whole number. */
    static long id(String text) {
        String t = text.startsWith("#") ? text.substring(1) : text;
        long id;
        try {
            id = Long.parseLong(t);
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (id <= 0 || !t.matches("[0-9]+")) {
            throw new InvalidValueException("a module build id is a positive whole number, not \""
                    + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"");
        }
        return id;
    }
}
