package org.buildduty.exec.archfixture;

import org.buildduty.commands.archfixture.CommandsFixture;

/** A deliberately bad "bot-exec" class for ArchitectureTest: it depends on a command class. */
public final class ExecFixture {
    public CommandsFixture commands;
}
