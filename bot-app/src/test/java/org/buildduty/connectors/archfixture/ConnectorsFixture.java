package org.buildduty.connectors.archfixture;

import org.buildduty.commands.archfixture.CommandsFixture;

/** A deliberately bad "bot-connectors" class for ArchitectureTest: it depends on a command class. */
public final class ConnectorsFixture {
    public CommandsFixture commands;
}
