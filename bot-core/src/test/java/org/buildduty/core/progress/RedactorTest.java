package org.buildduty.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class RedactorTest {
    @Test
    void replacesEveryOccurrenceOfEverySecret() {
        Redactor r = new Redactor(List.of("hunter22", "s3cr3t-token"));
        assertThat(r.redact("pw=hunter22 again hunter22, token s3cr3t-token"))
                .isEqualTo("pw=*** again ***, token ***");
    }

    @Test
    void leavesTextWithoutSecretsAlone() {
        Redactor r = new Redactor(List.of("hunter22"));
        assertThat(r.redact("nothing to see")).isEqualTo("nothing to see");
        assertThat(r.redact("")).isEmpty();
    }

    @Test
    void longerSecretsAreReplacedFirst() {
        Redactor r = new Redactor(List.of("abcd", "abcdefgh"));
        assertThat(r.redact("x abcdefgh y abcd z")).isEqualTo("x *** y *** z");
        Redactor reversed = new Redactor(List.of("abcdefgh", "abcd"));
        assertThat(reversed.redact("abcdefgh")).isEqualTo("***");
    }

    @Test
    void shortNullAndDuplicateSecretsAreIgnored() {
        Redactor r = new Redactor(Arrays.asList("abc", null, "", "a", "pass", "pass"));
        assertThat(r.redact("abc a pass")).isEqualTo("abc a ***");
    }

    @Test
    void nullTextStaysNull() {
        assertThat(new Redactor(List.of("hunter22")).redact(null)).isNull();
        assertThat(Redactor.NONE.redact(null)).isNull();
    }

    @Test
    void noneRedactsNothing() {
        assertThat(Redactor.NONE.redact("hunter22")).isEqualTo("hunter22");
        assertThat(new Redactor(List.of()).redact("hunter22")).isEqualTo("hunter22");
    }

    @Test
    void secretsAreMatchedLiterally() {
        Redactor r = new Redactor(List.of("a.b*c$1"));
        assertThat(r.redact("a.b*c$1 and aXbbc$1")).isEqualTo("*** and aXbbc$1");
    }

    @Test
    void secretsInsideWordsAreStillReplaced() {
        Redactor r = new Redactor(List.of("hunter22"));
        assertThat(r.redact("https://user:hunter22@host/x")).isEqualTo("https://user:***@host/x");
    }
}
