package org.buildduty.commands.builtin;

import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;

/** {@code cancel <id>}: the requester, or someone with the cancel role, stops an operation; rollbacks run. */
final class CancelCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        return Outcome.reply(ctx.bot().cancel(BuiltinCommands.id(ctx, 0), ctx.caller()));
    }
}
