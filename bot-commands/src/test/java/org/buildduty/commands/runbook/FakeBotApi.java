package org.buildduty.commands.runbook;

import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.time.Ticker;

/** The bot's services for handler tests: a real registry, a given inventory, a fake clock. */
final class FakeBotApi implements BotApi {
    private final CommandRegistry registry = new CommandRegistry();
    private final Inventory inventory;
    private final FakeTicker ticker = new FakeTicker();

    FakeBotApi(Inventory inventory) {
        this.inventory = inventory;
    }

    @Override
    public CommandRegistry commands() {
        return registry;
    }

    @Override
    public Inventory inventory() {
        return inventory;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }
}
