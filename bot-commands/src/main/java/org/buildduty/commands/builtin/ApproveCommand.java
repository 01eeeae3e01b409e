package org.buildduty.commands.builtin;

import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;

/**
 * {@code approve <id>}: counts one approval; the last one needed starts the operation. It counts only in the room of
 * the request unless {@code bot.private_approvals} is on.
 */
final class ApproveCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        return Outcome.reply(ctx.bot().approve(BuiltinCommands.id(ctx, 0), ctx.caller(), ctx.message().room()));
    }
}
