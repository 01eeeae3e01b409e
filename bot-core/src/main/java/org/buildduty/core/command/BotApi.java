package org.buildduty.core.command;

import org.buildduty.core.param.Inventory;
import org.buildduty.core.time.Ticker;

/** The bot's services as command handlers see them. */
public interface BotApi {
    /** Every registered command. */
    CommandRegistry commands();

    /** Hosts and groups from configuration. */
    Inventory inventory();

    /** The clock. */
    Ticker ticker();
}
