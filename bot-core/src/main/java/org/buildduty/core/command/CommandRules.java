package org.buildduty.core.command;

/** Where a command module registers its commands, explicitly, in the style of Helidon's routing. */
public interface CommandRules {
    /** Adds a command; a name or alias already taken is a configuration error. */
    CommandRules register(CommandSpec spec);
}
