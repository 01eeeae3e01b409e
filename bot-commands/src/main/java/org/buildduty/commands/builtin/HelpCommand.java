package org.buildduty.commands.builtin;

import java.util.ArrayList;
import java.util.List;

import org.buildduty.commands.runbook.RunbookCommands;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.parse.CloseMatch;
import org.buildduty.core.parse.UsageFormatter;

/** {@code help [command]}: the commands the caller may run, or one command's usage generated from its options. */
final class HelpCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        CommandRegistry registry = ctx.bot().commands();
        if (!ctx.args().positionals().isEmpty()) {
            List<String> words = ctx.args().positionals();
            if (words.size() == 2 && words.get(0).equals("run") && registry.get("run").isPresent()) {
                return Outcome.reply(RunbookCommands.help(registry, words.get(1)));
            }
            CommandSpec spec = registry.lookup(words)
                    .orElseThrow(() -> CloseMatch.unknown(String.join(" ", words), registry.names())).spec();
            return Outcome.reply(UsageFormatter.help(spec).lines().toList());
        }
        List<CommandSpec> allowed = registry.all().stream().filter(s -> ctx.bot().mayRun(ctx.caller(), s)).toList();
        if (ctx.bot().capabilities(ctx.message().room()).linesAreScarce()) {
            // IRC: every line costs the channel's flood budget, so the names in one line
            return Outcome.reply("commands: " + String.join(", ", allowed.stream().map(CommandSpec::name).toList())
                    + " (\"" + ctx.bot().prefix() + "help <command>\" for one command's options)");
        }
        List<String> lines = new ArrayList<>();
        for (CommandSpec spec : allowed) {
            lines.add(ctx.bot().prefix() + UsageFormatter.usage(spec) + " — " + spec.summary());
        }
        lines.add("(\"" + ctx.bot().prefix() + "help <command>\" for one command's options)");
        return Outcome.reply(lines);
    }
}
