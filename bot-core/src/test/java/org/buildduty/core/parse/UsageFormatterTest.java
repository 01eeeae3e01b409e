package org.buildduty.core.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;

import org.buildduty.core.command.CommandSpec;

class UsageFormatterTest {

    private static CommandSpec.Builder spec(String name) {
        return CommandSpec.builder(name).handler(ctx -> null);
    }

    @Test
    void forceUsageListsPositionalsThenOptionsInDeclarationOrder() {
        assertThat(UsageFormatter.usage(OptionsParserTest.force())).isEqualTo(OptionsParserTest.FORCE_USAGE);
    }

    @Test
    void flagsHaveNoValue() {
        assertThat(UsageFormatter.usage(OptionsParserTest.reconfig())).isEqualTo(OptionsParserTest.RECONFIG_USAGE);
    }

    @Test
    void bareCommand() {
        assertThat(UsageFormatter.usage(spec("whoami").build())).isEqualTo("whoami");
        assertThat(UsageFormatter.usage(spec("builds running").build())).isEqualTo("builds running");
    }

    @Test
    void optionalPositionalsAreBracketed() {
        assertThat(UsageFormatter.usage(spec("help").positional("command", 0, 1).build())).isEqualTo("help [command]");
        assertThat(UsageFormatter.usage(spec("disk").positional("host path", 1, 2).build()))
                .isEqualTo("disk <host> [path]");
    }

    @Test
    void repeatingLastPositionalGetsDots() {
        assertThat(UsageFormatter.usage(spec("announce").positional("target text", 2, Integer.MAX_VALUE).build()))
                .isEqualTo("announce <target> <text>...");
        assertThat(UsageFormatter.usage(spec("ops").positional("filter", 0, Integer.MAX_VALUE).build()))
                .isEqualTo("ops [filter...]");
        assertThat(UsageFormatter.usage(spec("ping").positional("host", 1, 3).build())).isEqualTo("ping <host>...");
    }

    @Test
    void requiredAndMultiValueOptions() {
        assertThat(UsageFormatter.usage(OptionsParserTest.maintenance()))
                .isEqualTo("maintenance <title> --at TIME [--notify TARGET...]");
    }

    @Test
    void optionWithoutArgNameShowsValueAndOptionalArgIsBracketed() {
        CommandSpec s = spec("x")
                .option(Option.builder().longOpt("level").hasArg().get())
                .option(Option.builder().longOpt("color").hasArg().optionalArg(true).argName("WHEN").get())
                .build();
        assertThat(UsageFormatter.usage(s)).isEqualTo("x [--level VALUE] [--color [WHEN]]");
    }

    @Test
    void overrideReplacesGeneratedSynopsis() {
        CommandSpec s = spec("force").positional("builder", 1, 1).valueOption("branch", "B", "b")
                .usage("<builder> (--branch B | --pr N) [--revision SHA] [--reason TEXT]").build();
        assertThat(UsageFormatter.usage(s))
                .isEqualTo("force <builder> (--branch B | --pr N) [--revision SHA] [--reason TEXT]");
    }

    @Test
    void helpHasUsageSummaryOptionLinesAndRole() {
        CommandSpec s = spec("reconfig").summary("the reconfig runbook over the buildbot masters")
                .alias("rc")
                .valueOption("masters", "GROUP", "group or comma-separated hosts")
                .flag("dry-run", "show the plan only")
                .role("releng").build();
        assertThat(UsageFormatter.help(s)).isEqualTo(String.join("\n",
                "reconfig [--masters GROUP] [--dry-run]",
                "the reconfig runbook over the buildbot masters",
                "  --masters GROUP  group or comma-separated hosts",
                "  --dry-run  show the plan only",
                "aliases: rc",
                "needs role releng"));
    }

    @Test
    void helpOfPlainCommandIsUsageAndSummaryOnly() {
        CommandSpec s = spec("whoami").summary("your identity and roles").build();
        assertThat(UsageFormatter.help(s)).isEqualTo("whoami\nyour identity and roles");
        assertThat(UsageFormatter.help(spec("x").build())).isEqualTo("x");
    }

    @Test
    void helpOptionWithoutDescriptionHasNoTrailingSpaces() {
        CommandSpec s = spec("x").option(Option.builder().longOpt("quiet").get()).build();
        assertThat(UsageFormatter.help(s)).isEqualTo("x [--quiet]\n  --quiet");
    }
}
