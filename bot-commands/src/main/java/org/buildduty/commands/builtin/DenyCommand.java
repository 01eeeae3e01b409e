package org.buildduty.commands.builtin;

import java.util.List;

import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.parse.Sanitize;

/**
 * {@code deny <id> [reason]}: ends a pending operation; it never runs. Like {@code approve}, it counts only in the
 * room of the request unless {@code bot.private_approvals} is on.
 */
final class DenyCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        List<String> words = ctx.args().positionals();
        String reason = Sanitize.forDisplay(String.join(" ", words.subList(1, words.size())), 200);
        return Outcome.reply(ctx.bot().deny(BuiltinCommands.id(ctx, 0), ctx.caller(), reason, ctx.message().room()));
    }
}
