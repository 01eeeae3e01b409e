package org.buildduty.core.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellQuoteTest {
    @TempDir
    Path dir;

    /** What /bin/sh prints for {@code printf %s <quoted>}, byte for byte. */
    static byte[] shellPrints(String quoted, Path workDir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", "printf %s " + quoted)
                .directory(workDir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit of printf for %s", quoted).isZero();
        return out;
    }

    @Test
    void quotesEverythingAndTheShellReadsItBackExactly() throws Exception {
        Path canary = dir.resolve("canary");
        String c = canary.toString();
        List<String> hostile = new ArrayList<>(List.of("", "a", "plain-word", "it's", "'", "''", "'''",
                "$(touch " + c + ")", "`touch " + c + "`", "a;touch " + c, "a && touch " + c, "a | touch " + c,
                "x\ntouch " + c, "tab\there", "\\", "\\'", "'\\''", "*", "?", "~", "~root", "-n", "--help", "%s%d",
                "\"", "\"$HOME\"", "${IFS}", "$'\\x41'", "!!", "a  b   c", " leading", "trailing ", "#comment",
                "héllo ünïcode — 🚀", "{a,b}", "a>b", "<" + c, "\r\n", "\u001b[31mred"));
        StringBuilder allAscii = new StringBuilder();
        for (char ch = 1; ch < 128; ch++) {
            allAscii.append(ch);
        }
        hostile.add(allAscii.toString());
        for (String value : hostile) {
            byte[] printed = shellPrints(ShellQuote.quote(value), dir);
            assertThat(new String(printed, StandardCharsets.UTF_8)).as("value %s", value).isEqualTo(value);
            assertThat(printed).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.exists(canary)).isFalse();
    }

    @Test
    void alwaysSingleQuotes() {
        assertThat(ShellQuote.quote("abc")).isEqualTo("'abc'");
        assertThat(ShellQuote.quote("")).isEqualTo("''");
        assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellQuote.quote("$(x)")).isEqualTo("'$(x)'");
    }

    @Test
    void rejectsNul() {
        assertThatThrownBy(() -> ShellQuote.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }
}
