package org.buildduty.core.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;

import org.buildduty.core.UsageException;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.ParsedArgs;

class OptionsParserTest {
    static final String FORCE_USAGE = "force <builder> [--branch B] [--pr N] [--revision SHA] [--reason TEXT]";
    static final String RECONFIG_USAGE = "reconfig [--masters GROUP] [--revision REV] [--parallel N] [--dry-run]";

    static CommandSpec force() {
        return CommandSpec.builder("force").summary("force a build")
                .positional("builder", 1, 1)
                .valueOption("branch", "B", "branch to build")
                .valueOption("pr", "N", "pull request number")
                .valueOption("revision", "SHA", "revision to build")
                .valueOption("reason", "TEXT", "why")
                .handler(ctx -> null).build();
    }

    static CommandSpec reconfig() {
        return CommandSpec.builder("reconfig").summary("reconfigure the masters")
                .valueOption("masters", "GROUP", "group or hosts")
                .valueOption("revision", "REV", "config revision")
                .valueOption("parallel", "N", "hosts at a time")
                .flag("dry-run", "only show the plan")
                .handler(ctx -> null).build();
    }

    static CommandSpec announce() {
        return CommandSpec.builder("announce").positional("target text", 2, Integer.MAX_VALUE)
                .handler(ctx -> null).build();
    }

    static CommandSpec maintenance() {
        return CommandSpec.builder("maintenance").positional("title", 1, 1)
                .option(Option.builder().longOpt("at").hasArg().argName("TIME").required().desc("start").get())
                .option(Option.builder().longOpt("notify").hasArgs().argName("TARGET").desc("rooms").get())
                .handler(ctx -> null).build();
    }

    private static ParsedArgs parse(CommandSpec spec, String... words) {
        return OptionsParser.parse(spec, List.of(words));
    }

    @Test
    void separateAndEqualsFormsBothWork() {
        ParsedArgs a = parse(force(), "tests", "--branch", "main", "--reason=flaky test", "--pr=42");
        assertThat(a.positionals()).containsExactly("tests");
        assertThat(a.option("branch")).contains("main");
        assertThat(a.option("reason")).contains("flaky test");
        assertThat(a.option("pr")).contains("42");
        assertThat(a.option("revision")).isEmpty();
    }

    @Test
    void optionsMayComeBeforeOrAfterPositionals() {
        ParsedArgs a = parse(force(), "--branch", "main", "tests");
        assertThat(a.positionals()).containsExactly("tests");
        assertThat(a.option("branch")).contains("main");
    }

    @Test
    void valueMayContainEqualsSignsAndShellText() {
        ParsedArgs a = parse(force(), "t", "--reason=a=b; $(rm -rf /) `id`");
        assertThat(a.option("reason")).contains("a=b; $(rm -rf /) `id`");
    }

    @Test
    void quotesInsideValuesAreKept() {
        assertThat(parse(force(), "t", "--reason", "\"quoted\"").option("reason")).contains("\"quoted\"");
        assertThat(parse(force(), "t", "--reason=\"quoted\"").option("reason")).contains("\"quoted\"");
    }

    @Test
    void flagsAreSeenAndValuesAbsent() {
        ParsedArgs a = parse(reconfig(), "--dry-run", "--masters", "bm01,bm02");
        assertThat(a.flag("dry-run")).isTrue();
        assertThat(a.flag("revision")).isFalse();
        assertThat(a.option("masters")).contains("bm01,bm02");
        assertThat(a.positionals()).isEmpty();
    }

    @Test
    void doubleDashEndsOptions() {
        ParsedArgs a = parse(announce(), "--", "#releng", "--dry-run", "-x", "--");
        assertThat(a.positionals()).containsExactly("#releng", "--dry-run", "-x", "--");
        ParsedArgs b = parse(force(), "--branch", "main", "--", "-weird-builder");
        assertThat(b.positionals()).containsExactly("-weird-builder");
        assertThat(b.option("branch")).contains("main");
    }

    @Test
    void unknownOptionNamesCommandAndUsage() {
        assertThatThrownBy(() -> parse(force(), "tests", "--foo", "x")).isInstanceOf(UsageException.class)
                .hasMessage("unknown option --foo for force; usage: " + FORCE_USAGE);
        assertThatThrownBy(() -> parse(force(), "tests", "--foo=x"))
                .hasMessage("unknown option --foo for force; usage: " + FORCE_USAGE);
    }

    @Test
    void unknownOptionSuggestsCloseOne() {
        assertThatThrownBy(() -> parse(force(), "tests", "--revison", "abc"))
                .hasMessage("unknown option --revison for force - did you mean --revision?; usage: " + FORCE_USAGE);
    }

    @Test
    void abbreviationsAreNotAccepted() {
        assertThatThrownBy(() -> parse(force(), "tests", "--bra", "main"))
                .hasMessageStartingWith("unknown option --bra for force - did you mean --branch?");
    }

    @Test
    void optionNamesAreCaseSensitive() {
        assertThatThrownBy(() -> parse(force(), "tests", "--BRANCH", "main"))
                .hasMessageStartingWith("unknown option --BRANCH for force");
    }

    @Test
    void missingValueIsNamedWithUsage() {
        assertThatThrownBy(() -> parse(force(), "tests", "--branch")).isInstanceOf(UsageException.class)
                .hasMessage("option --branch needs a value (--branch B); usage: " + FORCE_USAGE);
        assertThatThrownBy(() -> parse(force(), "tests", "--branch", "--reason", "x"))
                .hasMessageStartingWith("option --branch needs a value");
        assertThatThrownBy(() -> parse(force(), "tests", "--branch", "--", "x"))
                .hasMessageStartingWith("option --branch needs a value");
    }

    @Test
    void emptyValueIsRefused() {
        assertThatThrownBy(() -> parse(force(), "tests", "--branch="))
                .hasMessageStartingWith("value of --branch must not be empty; usage: ");
        assertThatThrownBy(() -> parse(force(), "tests", "--branch", ""))
                .hasMessageStartingWith("value of --branch must not be empty");
    }

    @Test
    void anOptionThatAllowsADashValueTakesItInBothFormsAndOnlyThatOption() {
        CommandSpec spec = CommandSpec.builder("grep").valueOption("pattern", "TEXT", "what to find")
                .valueOption("file", "PATH", "where").flag("count", "count only").dashValue("pattern")
                .handler(ctx -> null).build();
        assertThat(parse(spec, "--pattern=-v").option("pattern")).contains("-v");
        ParsedArgs separate = parse(spec, "--pattern", "-oProxyCommand=x", "--count");
        assertThat(separate.option("pattern")).contains("-oProxyCommand=x");
        assertThat(separate.flag("count")).isTrue();
        assertThatThrownBy(() -> parse(spec, "--pattern", "--count")).hasMessageStartingWith("option --pattern needs");
        assertThatThrownBy(() -> parse(spec, "--file", "-x")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("value of --file must not start with '-'");
        assertThatThrownBy(() -> parse(spec, "--file=-x")).hasMessageStartingWith("value of --file must not start");
    }

    @Test
    void valuesStartingWithDashAreRefusedToStopOptionInjection() {
        assertThatThrownBy(() -> parse(reconfig(), "--masters=-oProxyCommand=sh -c id"))
                .isInstanceOf(UsageException.class)
                .hasMessage("value of --masters must not start with '-'; usage: " + RECONFIG_USAGE);
        assertThatThrownBy(() -> parse(reconfig(), "--masters", "-oProxyCommand=x"))
                .hasMessageStartingWith("value of --masters must not start with '-'");
        assertThatThrownBy(() -> parse(reconfig(), "--parallel", "-1"))
                .hasMessageStartingWith("value of --parallel must not start with '-'");
        assertThatThrownBy(() -> parse(reconfig(), "--masters", "--unknown"))
                .hasMessageStartingWith("value of --masters must not start with '-'");
        assertThatThrownBy(() -> parse(reconfig(), "--masters", "-"))
                .hasMessageStartingWith("value of --masters must not start with '-'");
        assertThatThrownBy(() -> parse(reconfig(), "--masters=--dry-run"))
                .hasMessageStartingWith("value of --masters must not start with '-'");
    }

    @Test
    void singleDashWordsAreRefusedSoShortOptionsNeverCluster() {
        CommandSpec withShort = CommandSpec.builder("x").positional("a", 0, 5)
                .option(Option.builder("a").get()).option(Option.builder("b").get())
                .valueOption("reason", "TEXT", "why")
                .handler(ctx -> null).build();
        assertThatThrownBy(() -> parse(withShort, "-ab")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown option -ab for x; usage: x ");
        assertThatThrownBy(() -> parse(withShort, "-a")).hasMessageStartingWith("unknown option -a for x");
        assertThatThrownBy(() -> parse(withShort, "-")).hasMessageStartingWith("unknown option - for x");
        assertThatThrownBy(() -> parse(withShort, "-reason", "y"))
                .hasMessageStartingWith("unknown option -reason for x - did you mean --reason?");
        assertThatThrownBy(() -> parse(reconfig(), "-rf")).hasMessageStartingWith("unknown option -rf for reconfig");
        assertThatThrownBy(() -> parse(reconfig(), "--=x")).hasMessageStartingWith("unknown option --=x for reconfig");
        assertThatThrownBy(() -> parse(reconfig(), "---dry-run"))
                .hasMessageStartingWith("unknown option ---dry-run for reconfig");
    }

    @Test
    void flagTakesNoValue() {
        assertThatThrownBy(() -> parse(reconfig(), "--dry-run=yes"))
                .hasMessage("option --dry-run takes no value; usage: " + RECONFIG_USAGE);
    }

    @Test
    void singleValueOptionGivenTwiceIsRefused() {
        assertThatThrownBy(() -> parse(force(), "t", "--branch", "a", "--branch=b"))
                .hasMessageStartingWith("option --branch given twice");
        assertThatThrownBy(() -> parse(reconfig(), "--dry-run", "--dry-run"))
                .hasMessageStartingWith("option --dry-run given twice");
    }

    @Test
    void multiValueOptionTakesWordsUntilTheNextOption() {
        ParsedArgs a = parse(maintenance(), "--notify", "#a", "#b", "--at", "10:00", "title");
        assertThat(a.options().getOptionValues("notify")).containsExactly("#a", "#b");
        assertThat(a.option("at")).contains("10:00");
        assertThat(a.positionals()).containsExactly("title");
        ParsedArgs b = parse(maintenance(), "t", "--at=1", "--notify=#a", "--notify", "#b");
        assertThat(b.options().getOptionValues("notify")).containsExactly("#a", "#b");
        assertThatThrownBy(() -> parse(maintenance(), "t", "--at", "1", "--notify", "#a", "-x"))
                .hasMessageStartingWith("value of --notify must not start with '-'");
    }

    @Test
    void requiredOptionMustBeGiven() {
        assertThatThrownBy(() -> parse(maintenance(), "title"))
                .hasMessage("missing --at TIME for maintenance; usage: maintenance <title> --at TIME"
                        + " [--notify TARGET...]");
        assertThatThrownBy(() -> parse(maintenance()))
                .hasMessageStartingWith("missing --at TIME for maintenance; usage: maintenance <title> --at TIME");
    }

    @Test
    void positionalCountIsChecked() {
        assertThatThrownBy(() -> parse(force())).isInstanceOf(UsageException.class)
                .hasMessage("missing <builder> for force; usage: " + FORCE_USAGE);
        assertThatThrownBy(() -> parse(force(), "a", "b", "c"))
                .hasMessage("force takes at most 1 argument, got 3; usage: " + FORCE_USAGE);
        assertThatThrownBy(() -> parse(reconfig(), "bm01"))
                .hasMessage("reconfig takes no arguments, got 1; usage: " + RECONFIG_USAGE);
        assertThatThrownBy(() -> parse(announce(), "#room"))
                .hasMessage("missing <text> for announce; usage: announce <target> <text>...");
    }

    @Test
    void restOfLinePositionalsAreUnbounded() {
        ParsedArgs a = parse(announce(), "#releng", "deploy", "done", "🚀");
        assertThat(a.positionals()).containsExactly("#releng", "deploy", "done", "🚀");
        assertThat(a.positional(3)).contains("🚀");
        assertThat(a.positional(4)).isEmpty();
    }

    @Test
    void hostileWordsArePlainPositionals() {
        ParsedArgs a = parse(announce(), "#r", "$(rm", "/)", ";", "&&", "|", ">x", "*", "`id`");
        assertThat(a.positionals()).containsExactly("#r", "$(rm", "/)", ";", "&&", "|", ">x", "*", "`id`");
        assertThatThrownBy(() -> parse(announce(), "#r", "$(rm", "-rf", "/)"))
                .hasMessageStartingWith("unknown option -rf for announce");
        assertThat(parse(announce(), "#r", "--", "$(rm", "-rf", "/)").positionals())
                .containsExactly("#r", "$(rm", "-rf", "/)");
    }

    @Test
    void errorMessagesDoNotEchoControlCharacters() {
        assertThatThrownBy(() -> parse(force(), "t", "--f\u0003oo\u0002"))
                .hasMessageStartingWith("unknown option --f?oo? for force");
        String longName = "--" + "x".repeat(200);
        assertThatThrownBy(() -> parse(force(), "t", longName))
                .satisfies(e -> assertThat(e.getMessage()).startsWith("unknown option --xxx").contains("…")
                        .doesNotContain("x".repeat(60)));
    }

    @Test
    void specOptionsAreNotChangedByParsing() {
        CommandSpec spec = force();
        parse(spec, "a", "--branch", "one");
        ParsedArgs second = parse(spec, "b");
        assertThat(second.option("branch")).isEmpty();
        assertThat(spec.options().getOption("branch").getValuesList()).isEmpty();
    }
}
