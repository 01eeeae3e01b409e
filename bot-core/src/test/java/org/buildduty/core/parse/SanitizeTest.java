package org.buildduty.core.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SanitizeTest {

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x02, 0x03, 0x09, 0x0a, 0x0d, 0x0f, 0x16, 0x1b, 0x1d, 0x1f, 0x7f, 0x80, 0x85, 0x9f,
        0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069, 0xd800, 0xdfff})
    void unsafeCharactersBecomeQuestionMarks(int cp) {
        String in = "a" + (char) cp + "b";
        assertThat(Sanitize.isUnsafe(cp)).isTrue();
        assertThat(Sanitize.forDisplay(in, 10)).isEqualTo("a?b");
    }

    @Test
    void ordinaryTextIsKept() {
        String text = "déployé 🚀 שלום “x” ＄ 中文 a-b_c.d/e";
        assertThat(Sanitize.forDisplay(text, 100)).isEqualTo(text);
        assertThat(Sanitize.forDisplay(text)).isEqualTo(text);
        assertThat(Sanitize.forDisplay("", 5)).isEmpty();
    }

    @Test
    void ircFormattingIsNeutralised() {
        assertThat(Sanitize.forDisplay("\u0002bold\u0002 \u000304,01red\u000f \u001ditalic\u001d \u0016rev", 100))
                .isEqualTo("?bold? ?04,01red? ?italic? ?rev");
    }

    @Test
    void longTextIsCutWithEllipsisWithinTheLimit() {
        assertThat(Sanitize.forDisplay("abcdefghij", 5)).isEqualTo("abcd…");
        assertThat(Sanitize.forDisplay("abcde", 5)).isEqualTo("abcde");
        assertThat(Sanitize.forDisplay("abcdef", 1)).isEqualTo("…");
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String out = Sanitize.forDisplay("🚀🚀🚀🚀", 3);
        assertThat(out).isEqualTo("🚀🚀…");
        assertThat(out.codePointCount(0, out.length())).isEqualTo(3);
    }

    @Test
    void nullIsShownAsText() {
        assertThat(Sanitize.forDisplay(null, 10)).isEqualTo("null");
    }

    @Test
    void limitMustBePositive() {
        assertThatThrownBy(() -> Sanitize.forDisplay("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
