package org.buildduty.commands.announce;

import java.util.List;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.UsageException;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;

/**
 * {@code announce <target> <text...>}: posts the text, one line, to the target. A Zulip target may be written
 * {@code stream > topic} (one word each side, or the whole target quoted); the text starts after the topic.
 */
final class AnnounceCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        List<String> words = ctx.args().positionals();
        String target = words.get(0);
        int textFrom = 1;
        if (words.size() >= 3 && words.get(1).equals(">")) {
            target = words.get(0) + " > " + words.get(2);
            textFrom = 3;
        }
        if (textFrom >= words.size()) {
            throw new UsageException("usage: " + ctx.bot().prefix() + "announce <target> <text...>");
        }
        String text = String.join(" ", words.subList(textFrom, words.size())).strip();
        if (text.length() > Announcer.MAX_TEXT) {
            throw new InvalidValueException("an announcement is at most " + Announcer.MAX_TEXT + " characters, not "
                    + text.length());
        }
        Announcer announcer = ctx.bot().announcer();
        ChatAddress to = announcer.resolve(target, ctx.message().connectorId());
        announcer.announce(to, text);
        return Outcome.reply("announced in " + to);
    }
}
