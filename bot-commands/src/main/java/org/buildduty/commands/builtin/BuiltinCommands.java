package org.buildduty.commands.builtin;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.parse.Sanitize;

/** The built-in commands: help, whoami, ops, op, cancel, approve, deny, retry. */
public final class BuiltinCommands {
    private BuiltinCommands() {
    }

    /** Registers every built-in command. */
    public static void commands(CommandRules rules) {
        rules.register(CommandSpec.builder("help").summary("list the commands you may run, or show one command's usage")
                .positional("command", 0, 2).handler(new HelpCommand()).build());
        rules.register(CommandSpec.builder("whoami").summary("the identity and roles the bot sees for you")
                .handler(new WhoamiCommand()).build());
        rules.register(CommandSpec.builder("ops")
                .summary("operations pending approval, queued, running or waiting at a confirm step")
                .flag("recent", "also list the 10 most recent finished operations").handler(new OpsCommand()).build());
        rules.register(CommandSpec.builder("op").summary("one operation's state, step by step")
                .positional("id", 1, 1).handler(new OpCommand()).build());
        rules.register(CommandSpec.builder("cancel")
                .summary("cancel a pending, queued, running or waiting operation; rollbacks run")
                .positional("id", 1, 1).handler(new CancelCommand()).build());
        rules.register(CommandSpec.builder("approve")
                .summary("approve a pending operation, or confirm one waiting at a confirm step")
                .positional("id", 1, 1).handler(new ApproveCommand()).build());
        rules.register(CommandSpec.builder("deny")
                .summary("deny a pending operation, or stop one waiting at a confirm step")
                .positional("id reason", 1, Integer.MAX_VALUE).handler(new DenyCommand()).build());
        rules.register(CommandSpec.builder("retry")
                .summary("run a failed operation again from its first step that did not succeed, where it did not")
                .positional("id", 1, 1).flag("all-hosts", "run that step on all its hosts")
                .handler(new RetryCommand()).build());
    }

    /** The operation id in positional {@code i}. */
    static OperationId id(CommandContext ctx, int i) {
        String raw = ctx.args().positional(i).orElse("");
        return OperationId.parse(raw).orElseThrow(() -> new InvalidValueException(
                "not an operation id: \"" + Sanitize.forDisplay(raw, 40) + "\" (expected a number like 17)"));
    }
}
