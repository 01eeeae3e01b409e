package org.buildduty.core.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Emoji keys compared without presentation selector and skin tone, as the reactions contract's equivalence table
 * (emoji_equivalence_table_DERIVED.json) lists them.
 */
class ChatReactionTest {
    @Test
    void theSelectorAndSkinTonesAreStripped() {
        assertThat(ChatReaction.normalize("\u2714\uFE0F")).isEqualTo("\u2714");
        assertThat(ChatReaction.normalize("\u2714")).isEqualTo("\u2714");
        for (int tone = 0x1F3FB; tone <= 0x1F3FF; tone++) {
            assertThat(ChatReaction.normalize("\uD83D\uDC4D" + Character.toString(tone))).isEqualTo("\uD83D\uDC4D");
        }
        assertThat(ChatReaction.normalize("\u2705")).isEqualTo("\u2705");
        assertThat(ChatReaction.normalize("\u274C")).isEqualTo("\u274C");
    }

    @Test
    void zulipCodesAreTheirCodePoints() {
        assertThat(ChatReaction.fromCodePoints("2705")).isEqualTo("\u2705");
        assertThat(ChatReaction.fromCodePoints("1f44d")).isEqualTo("\uD83D\uDC4D");
        assertThat(ChatReaction.fromCodePoints("1f44d-1f3fd")).isEqualTo("\uD83D\uDC4D\uD83C\uDFFD");
        assertThat(ChatReaction.fromCodePoints("274c")).isEqualTo("\u274C");
        assertThat(ChatReaction.fromCodePoints("zulip")).isNull();
        assertThat(ChatReaction.fromCodePoints("")).isNull();
        assertThat(ChatReaction.fromCodePoints("110000")).isNull();
    }

    @Test
    void anAddedReactionKeepsItsKeyNormalized() {
        ChatReaction r = new ChatReaction("m", "!r", new Identity("m", "@bob:x"), "$e", "\uD83D\uDC4D\uD83C\uDFFF",
                true, "$r", java.time.Instant.EPOCH);
        assertThat(r.key()).isEqualTo("\uD83D\uDC4D");
    }
}
