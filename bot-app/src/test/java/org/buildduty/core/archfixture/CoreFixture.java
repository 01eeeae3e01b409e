package org.buildduty.core.archfixture;

import org.buildduty.commands.archfixture.CommandsFixture;

/** A deliberately bad "bot-core" class for ArchitectureTest: it depends on a command class. */
public final class CoreFixture {
    public CommandsFixture commands;
}
