package org.buildduty.core.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.buildduty.core.UsageException;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;

class OptionsParserRawArgsTest {
    private final CommandSpec run = CommandSpec.builder("run").positional("runbook args", 1, Integer.MAX_VALUE)
            .rawArgs().handler(c -> Outcome.reply("x")).build();

    @Test
    void rawArgsPassEveryTokenUntouched() {
        List<String> words = List.of("demo", "--message", "-oProxyCommand=x", "--", "--count=3");
        assertThat(OptionsParser.parse(run, words).positionals()).isEqualTo(words);
    }

    @Test
    void rawArgsStillCountPositionals() {
        assertThatThrownBy(() -> OptionsParser.parse(run, List.of())).isInstanceOf(UsageException.class)
                .hasMessageContaining("run");
    }
}
