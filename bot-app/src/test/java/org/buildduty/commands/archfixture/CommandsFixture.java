package org.buildduty.commands.archfixture;

import org.buildduty.connectors.archfixture.ConnectorsFixture;

/** A deliberately bad "bot-commands" class for ArchitectureTest: it depends on a connector class. */
public final class CommandsFixture {
    public ConnectorsFixture connectors;
}
