package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class IrcTextTest {

    @Test
    void budgetLeavesRoomForTheRelayedPrefixAndCrlf() {
        int budget = IrcText.payloadBudget("buildduty", "#releng");
        String prefix = ":buildduty!" + "u".repeat(IrcText.MAX_USER) + "@" + "h".repeat(IrcText.MAX_HOST)
                + " PRIVMSG #releng :";
        assertThat(prefix.length() + budget + 2).isEqualTo(512);
        assertThat(budget).isBetween(380, 420);
    }

    @Test
    void budgetUsesTheRealHostWhenItIsLonger() {
        String host = "h".repeat(80);
        assertThat(IrcText.payloadBudget("bot", "u", host, "#c"))
                .isEqualTo(IrcText.payloadBudget("bot", "#c") - (80 - IrcText.MAX_HOST));
    }

    @Test
    void budgetNeverFallsBelowTheMinimum() {
        assertThat(IrcText.payloadBudget("n".repeat(300), "#" + "c".repeat(300))).isEqualTo(IrcText.MIN_PAYLOAD);
    }

    @Test
    void shortTextIsOneLine() {
        assertThat(IrcText.lines("hello world", 400)).containsExactly("hello world");
    }

    @Test
    void theLineBreaksAreWhereTheRegularExpressionOfThemSplits() {
        Pattern breaks = Pattern.compile("\r\n|\r|\n|\u0085|\u2028|\u2029");
        for (String text : List.of("", "a", "\n", "\r\n", "\n\r", "\r\r\n", "a\r\nb\nc\rd\u2028e\u0085f\u2029g",
                "\nlead", "trail\n", "x\n\n\ny", "\r", "a\r", "\u2029\u2029")) {
            assertThat(IrcText.breakLines(text)).as(text).containsExactly(breaks.split(text, -1));
        }
    }

    @Test
    void lineBreaksOfEveryKindSplitAndBlankLinesAreDropped() {
        assertThat(IrcText.lines("a\r\nb\nc\rd\u2028e\u0085f\n\n  \ng", 400))
                .containsExactly("a", "b", "c", "d", "e", "f", "g");
    }

    @Test
    void injectionAttemptBecomesPlainTextLines() {
        List<String> lines = IrcText.lines("done\r\nQUIT :bye\r\nPRIVMSG #x :\u0000boom", 400);
        assertThat(lines).containsExactly("done", "QUIT :bye", "PRIVMSG #x :?boom");
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\r", "\n", "\u0000"));
    }

    @Test
    void controlCharactersAreNeutralisedButTabsKept() {
        assertThat(IrcText.neutralize("a\tb\u0001c\u0002d\u0003e\u007ff\u009bg\u0000h"))
                .isEqualTo("a\tb?c?d?e?f?g?h");
    }

    @Test
    void neutralizingIsTheEscapeExpressionThenTheControlReplacementAndLeavesCleanTextAsItIs() {
        Pattern ansi = Pattern.compile("\u001b\\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\\\-_]");
        for (String text : List.of("", "ok", "whoami: libera:alice · roles: releng", "tab\there", "\u001b", "a\u001b",
                "\u001b[", "\u001b[31", "\u001b[31m", "x\u001bMy", "\u001b\u001b[0mz", "\u0007bell", "end\u0000",
                "\u0085\u009f\u00a0é", "\u007f", "caf\u00e9 \u001b[2K\u0003 done", "\uD83D\uDE00 ok")) {
            StringBuilder expected = new StringBuilder();
            for (char c : ansi.matcher(text).replaceAll("").toCharArray()) {
                expected.append((c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : c);
            }
            assertThat(IrcText.neutralize(text)).as(text).isEqualTo(expected.toString());
        }
        String clean = "whoami: libera:alice · roles: releng";
        assertThat(IrcText.neutralize(clean)).isSameAs(clean);
    }

    @Test
    void terminalColourSequencesAreRemoved() {
        assertThat(IrcText.neutralize("\u001b[1;31mFAILED\u001b[0m at \u001b[2Kstep")).isEqualTo("FAILED at step");
    }

    @Test
    void longAsciiWrapsAtWhitespace() {
        String words = IntStream.range(0, 200).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
        List<String> lines = IrcText.lines(words, 100);
        assertThat(lines).hasSizeGreaterThan(10);
        assertThat(lines).allSatisfy(l -> {
            assertThat(bytes(l)).isLessThanOrEqualTo(100);
            assertThat(l).doesNotStartWith(" ").doesNotEndWith(" ");
        });
        assertThat(String.join(" ", lines)).isEqualTo(words);
    }

    @Test
    void multiByteTextIsCutOnCharacterBoundariesAndArrivesWhole() {
        String text = "é".repeat(300) + "中".repeat(200) + "😀".repeat(100);
        assertThat(bytes(text)).isEqualTo(600 + 600 + 400);
        List<String> lines = IrcText.lines(text, 401);
        assertThat(lines).hasSize(4);
        assertThat(lines).allSatisfy(l -> {
            assertThat(bytes(l)).isLessThanOrEqualTo(401);
            assertThat(new String(l.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(l);
            assertThat(l).doesNotContain("\uFFFD");
        });
        assertThat(String.join("", lines)).isEqualTo(text);
    }

    @Test
    void graphemeClustersAreNotBroken() {
        String thumb = "👍🏽";
        String family = "👨‍👩‍👧";
        String text = (thumb + family + "e\u0301").repeat(40);
        List<String> lines = IrcText.lines(text, 50);
        assertThat(String.join("", lines)).isEqualTo(text);
        for (String l : lines) {
            assertThat(bytes(l)).isLessThanOrEqualTo(50);
            assertThat(l).doesNotStartWith("🏽").doesNotStartWith("\u200d").doesNotStartWith("\u0301");
            assertThat(l.charAt(l.length() - 1)).isNotEqualTo('\u200d');
        }
    }

    @Test
    void anOversizedClusterIsCutBetweenCodePoints() {
        String zalgo = "a" + "\u0301".repeat(100);
        List<String> lines = IrcText.lines(zalgo, 41);
        assertThat(String.join("", lines)).isEqualTo(zalgo);
        assertThat(lines).allSatisfy(l -> assertThat(bytes(l)).isLessThanOrEqualTo(41));
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        assertThat(IrcText.lines("a\ud800b", 400)).containsExactly("a\uFFFDb");
        assertThat(IrcText.utf8Length("a\ud800b")).isEqualTo(5);
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        String s = "aé中😀👨‍👩‍👧";
        assertThat(IrcText.utf8Length(s)).isEqualTo(bytes(s));
    }

    @Test
    void tailKeepsTheLastLinesBehindAMarker() {
        List<String> lines = IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).collect(Collectors.toList());
        assertThat(IrcText.tail(lines, 5, "[%d earlier lines cut]"))
                .containsExactly("[26 earlier lines cut]", "line 27", "line 28", "line 29", "line 30");
        assertThat(IrcText.tail(lines.subList(0, 5), 5, "x %d")).hasSize(5).startsWith("line 1");
        assertThatThrownBy(() -> IrcText.tail(lines, 1, "%d")).isInstanceOf(IllegalArgumentException.class);
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
