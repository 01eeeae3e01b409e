package org.buildduty.commands.announce;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;

/** The announcement commands: {@code announce <target> <text>}. */
public final class AnnounceCommands {
    /** The role that may announce. */
    public static final String ROLE = "releng";

    private AnnounceCommands() {
    }

    /** Registers {@code announce}. */
    public static void register(CommandRules rules) {
        rules.register(CommandSpec.builder("announce")
                .summary("post a line to a room, IRC channel or Zulip stream > topic ([connector:]room)")
                .usage("<target> <text...>")
                .positional("target text", 2, Integer.MAX_VALUE).rawArgs().role(ROLE)
                .handler(new AnnounceCommand()).build());
    }
}
