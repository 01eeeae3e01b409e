package org.buildduty.core.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.buildduty.core.UsageException;

class TokenizerTest {

    private static List<String> tok(String line) {
        return Tokenizer.tokenize(line);
    }

    @Test
    void splitsOnRunsOfSpacesAndTabs() {
        assertThat(tok("  force   tests\t--branch \t main  ")).containsExactly("force", "tests", "--branch", "main");
    }

    @Test
    void emptyAndBlankLinesGiveNoWords() {
        assertThat(tok("")).isEmpty();
        assertThat(tok("   \t  ")).isEmpty();
    }

    @Test
    void singleQuotesAreLiteral() {
        assertThat(tok("say 'a \"b\" \\n $HOME `x`'")).containsExactly("say", "a \"b\" \\n $HOME `x`");
    }

    @Test
    void doubleQuotesKeepSpacesAndHonourOnlyFourEscapes() {
        assertThat(tok("say \"a  b\"")).containsExactly("say", "a  b");
        assertThat(tok("\"q\\\" b\\\\ d\\$ t\\`\"")).containsExactly("q\" b\\ d$ t`");
        assertThat(tok("\"\\n \\a \\'\"")).containsExactly("\\n \\a \\'");
    }

    @Test
    void singleQuoteInsideDoubleQuotesAndViceVersa() {
        assertThat(tok("\"it's\" 'say \"hi\"'")).containsExactly("it's", "say \"hi\"");
    }

    @Test
    void backslashOutsideQuotesEscapesTheNextCharacter() {
        assertThat(tok("a\\ b c\\'d e\\\"f g\\\\h \\x")).containsExactly("a b", "c'd", "e\"f", "g\\h", "x");
    }

    @Test
    void backslashEscapesASupplementaryCharacterWhole() {
        assertThat(tok("\\\uD83D\uDE80x")).containsExactly("\uD83D\uDE80x");
    }

    @Test
    void adjacentPartsJoinIntoOneWord() {
        assertThat(tok("\"a\"'b'c")).containsExactly("abc");
        assertThat(tok("--reason=\"two words\"")).containsExactly("--reason=two words");
        assertThat(tok("x'' y")).containsExactly("x", "y");
    }

    @Test
    void emptyQuotesAreEmptyWords() {
        assertThat(tok("a \"\" b '' c")).containsExactly("a", "", "b", "", "c");
        assertThat(tok("\"\"")).containsExactly("");
        assertThat(tok("''\"\"")).containsExactly("");
    }

    @Test
    void shellMetacharactersStayLiteralInOneWord() {
        assertThat(tok("run a;rm -rf / $(rm -rf /) `id` a&&b x|y >out <in 2>&1 *.jar ~ {a,b} #room"))
                .containsExactly("run", "a;rm", "-rf", "/", "$(rm", "-rf", "/)", "`id`", "a&&b", "x|y", ">out", "<in",
                        "2>&1", "*.jar", "~", "{a,b}", "#room");
    }

    @Test
    void quotedHostileTextIsOneLiteralWord() {
        assertThat(tok("say \"$(rm -rf /); echo `id` && cat /etc/passwd | nc x 1 > /dev/null\""))
                .containsExactly("say", "$(rm -rf /); echo `id` && cat /etc/passwd | nc x 1 > /dev/null");
        assertThat(tok("'; DROP TABLE ops; --'")).containsExactly("; DROP TABLE ops; --");
    }

    @Test
    void unicodeIsDataIncludingLookAlikeQuotesAndSpaces() {
        assertThat(tok("announce #releng 🚀 déployé ✅")).containsExactly("announce", "#releng", "🚀", "déployé", "✅");
        assertThat(tok("say שלום עולם")).containsExactly("say", "שלום", "עולם");
        assertThat(tok("say “hello world” ‘x y’")).containsExactly("say", "“hello", "world”", "‘x", "y’");
        assertThat(tok("＄(id) a\u00a0b c\u3000d")).containsExactly("＄(id)", "a\u00a0b", "c\u3000d");
        assertThat(tok("'👨‍👩‍👧 zwj'")).containsExactly("👨‍👩‍👧 zwj");
    }

    @Test
    void tabInsideQuotesIsKept() {
        assertThat(tok("'a\tb'")).containsExactly("a\tb");
    }

    @Test
    void unterminatedQuotesAreRefused() {
        assertThatThrownBy(() -> tok("say 'oops")).isInstanceOf(UsageException.class)
                .hasMessage("unterminated single quote (opened at character 5)");
        assertThatThrownBy(() -> tok("say \"oops")).isInstanceOf(UsageException.class)
                .hasMessage("unterminated double quote (opened at character 5)");
        assertThatThrownBy(() -> tok("say \"ends with escaped quote\\\"")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unterminated double quote");
        assertThatThrownBy(() -> tok("🚀 'x")).isInstanceOf(UsageException.class)
                .hasMessage("unterminated single quote (opened at character 3)");
    }

    @Test
    void trailingBackslashIsRefused() {
        assertThatThrownBy(() -> tok("say x\\")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("trailing backslash");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "\n", "'a\nb'", "\"a\rb\"", "a\\\nb"})
    void newlinesAreRefusedEvenQuotedOrEscaped(String line) {
        assertThatThrownBy(() -> tok(line)).isInstanceOf(UsageException.class)
                .hasMessage("a command is one line: newline not allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "'\u0000'", "a\u0003b", "bold\u0002", "\u001b[31m", "del\u007f", "c1\u0085"})
    void controlCharactersAreRefusedWithoutBeingEchoed(String line) {
        assertThatThrownBy(() -> tok(line)).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("control character U+")
                .satisfies(e -> assertThat(e.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue());
    }

    @Test
    void controlCharacterMessageNamesCodeAndPosition() {
        assertThatThrownBy(() -> tok("ab\u0000")).hasMessage("control character U+0000 not allowed (at character 3)");
    }

    @Test
    void lineAtTheLimitIsAcceptedAndLongerIsRefused() {
        String max = "x".repeat(Tokenizer.MAX_LENGTH);
        assertThat(tok(max)).containsExactly(max);
        assertThatThrownBy(() -> tok(max + "y")).isInstanceOf(UsageException.class)
                .hasMessage("command too long (4097 characters, limit 4096)");
        assertThatThrownBy(() -> tok("a ".repeat(5120))).isInstanceOf(UsageException.class)
                .hasMessage("command too long (10240 characters, limit 4096)");
    }

    @Test
    void lengthIsCountedInCodePoints() {
        String rockets = "🚀".repeat(Tokenizer.MAX_LENGTH);
        assertThat(tok(rockets)).containsExactly(rockets);
    }

    @Test
    void tooLongIsReportedBeforeControlCharacters() {
        assertThatThrownBy(() -> tok("\n".repeat(5000))).hasMessageStartingWith("command too long");
    }

    @Test
    void resultIsImmutable() {
        List<String> words = tok("a b");
        assertThatThrownBy(() -> words.add("c")).isInstanceOf(UnsupportedOperationException.class);
    }
}
