package org.buildduty.commands.builtin;

import java.util.Set;
import java.util.TreeSet;

import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;

/**
 * {@code whoami}: the verified identity the bot sees, and its roles. An unverified IRC nick ({@code ?nick}: no
 * services account behind it) gets one more sentence saying what that means and why it holds no role.
 */
final class WhoamiCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        if (ctx.bot().isOwner(ctx.caller())) {
            return Outcome.reply("you are " + ctx.caller() + " (local operator: every role; approvals still apply)");
        }
        Set<String> roles = new TreeSet<>(ctx.roles());
        String principal = ctx.caller().principal();
        String unverified = !principal.startsWith("?") ? "" : " (" + principal + " is an unverified nick: the bot "
                + "sees no services account logged in behind it, and anyone can take a nick, so no role can name it; "
                + "log in to services (SASL or NickServ IDENTIFY) - on a network without services the bot's admin "
                + "can use identity: hostmask)";
        return Outcome.reply("you are " + ctx.caller() + (roles.isEmpty() ? "; no roles"
                : "; roles: " + String.join(", ", roles)) + unverified);
    }
}
