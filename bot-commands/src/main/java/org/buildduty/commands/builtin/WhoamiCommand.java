package org.buildduty.commands.builtin;

import java.util.Set;
import java.util.TreeSet;

import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;

/** {@code whoami}: the verified identity the bot sees, and its roles. */
final class WhoamiCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        if (ctx.bot().isOwner(ctx.caller())) {
            return Outcome.reply("you are " + ctx.caller() + " (local operator: every role; approvals still apply)");
        }
        Set<String> roles = new TreeSet<>(ctx.roles());
        return Outcome.reply("you are " + ctx.caller() + (roles.isEmpty() ? "; no roles"
                : "; roles: " + String.join(", ", roles)));
    }
}
