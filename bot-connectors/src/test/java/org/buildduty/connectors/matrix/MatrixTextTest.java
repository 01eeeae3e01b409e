package org.buildduty.connectors.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MatrixTextTest {
    @Test
    void htmlEscapesEverythingAndKnowsOnlyCodeBoldAndLineBreaks() {
        assertThat(MatrixText.html("<a href=\"x\">'&'</a>")).isEqualTo(
                "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assertThat(MatrixText.html("`<b>` and **x**\n_y_")).isEqualTo(
                "<code>&lt;b&gt;</code> and <strong>x</strong><br/>_y_");
    }

    @Test
    void fitCutsOnACharacterBoundaryAndMarksTheCut() {
        String text = "é".repeat(100);
        String cut = MatrixText.fit(text, 50);
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(50);
        assertThat(cut).startsWith("éé").endsWith("[… cut]");
        assertThat(MatrixText.fit("short", 50)).isEqualTo("short");
    }

    @Test
    void replyFallbacksAreStripped() {
        assertThat(MatrixText.stripReplyFallback("> <@bob:x> hi\n> there\n\n!run demo")).isEqualTo("!run demo");
        assertThat(MatrixText.stripReplyFallback("!run demo")).isEqualTo("!run demo");
    }

    @Test
    void pathSegmentsArePercentEncoded() {
        assertThat(MatrixClient.enc("!ops:fake.test")).isEqualTo("%21ops%3Afake.test");
        assertThat(MatrixClient.enc("$ev1:x")).isEqualTo("%24ev1%3Ax");
    }
}
