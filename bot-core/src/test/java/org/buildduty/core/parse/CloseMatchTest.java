package org.buildduty.core.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.buildduty.core.UnknownCommandException;

class CloseMatchTest {
    static final List<String> NAMES = List.of("help", "whoami", "ops", "op", "cancel", "approve", "deny", "reconfig",
            "force", "builds running", "mbs watch", "mbs unwatch", "mbs info", "mbs overview", "mbs cancel", "disk",
            "disk clean", "announce", "maintenance");

    @Test
    void transpositionsAreOneEdit() {
        assertThat(CloseMatch.closest("reconfgi", NAMES)).contains("reconfig");
        assertThat(CloseMatch.closest("apporve", NAMES)).contains("approve");
        assertThat(CloseMatch.distance("reconfgi", "reconfig")).isEqualTo(1);
        assertThat(CloseMatch.distance("apporve", "approve")).isEqualTo(1);
    }

    @Test
    void distanceIsOptimalStringAlignment() {
        assertThat(CloseMatch.distance("", "abc")).isEqualTo(3);
        assertThat(CloseMatch.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(CloseMatch.distance("ca", "abc")).isEqualTo(3);
        assertThat(CloseMatch.distance("abc", "abc")).isZero();
        assertThat(CloseMatch.distance("ABC", "abc")).isZero();
        assertThat(CloseMatch.distance("🚀x", "x🚀")).isEqualTo(1);
    }

    @Test
    void unrelatedTextHasNoMatch() {
        assertThat(CloseMatch.closest("xyz", NAMES)).isEmpty();
        assertThat(CloseMatch.closest("deploy-everything", NAMES)).isEmpty();
        assertThat(CloseMatch.closest("", NAMES)).isEmpty();
        assertThat(CloseMatch.closest("help", List.of())).isEmpty();
    }

    @Test
    void prefixOfTwoOrMoreCharactersMatches() {
        assertThat(CloseMatch.closest("rec", NAMES)).contains("reconfig");
        assertThat(CloseMatch.closest("maint", NAMES)).contains("maintenance");
        assertThat(CloseMatch.closest("r", List.of("reconfig"))).isEmpty();
    }

    @Test
    void caseIsIgnoredAndTheNameIsReturnedAsGiven() {
        assertThat(CloseMatch.closest("RECONFGI", NAMES)).contains("reconfig");
        assertThat(CloseMatch.closest("helo", List.of("Help"))).contains("Help");
    }

    @Test
    void thresholdGrowsWithLength() {
        assertThat(CloseMatch.closest("hlp", NAMES)).contains("help");
        assertThat(CloseMatch.closest("mantenanse", NAMES)).contains("maintenance");
        assertThat(CloseMatch.closest("hxxp", List.of("help"))).isEmpty();
    }

    @Test
    void tiesGoToShortestThenAlphabetical() {
        assertThat(CloseMatch.closest("opx", NAMES)).contains("op");
        assertThat(CloseMatch.closest("bat", List.of("cat", "bar", "hat"))).contains("bar");
        assertThat(CloseMatch.closest("ca", List.of("cancel", "cat", "cab"))).contains("cab");
    }

    @Test
    void smallerDistanceBeatsPrefix() {
        assertThat(CloseMatch.closest("dis", List.of("disk clean", "dig"))).contains("dig");
    }

    @Test
    void unknownMessageSuggestsOrNot() {
        UnknownCommandException e = CloseMatch.unknown("reconfgi", NAMES);
        assertThat(e).hasMessage("unknown command \"reconfgi\" - did you mean \"reconfig\"? (try help)");
        assertThat(CloseMatch.unknown("xyz", NAMES)).hasMessage("unknown command \"xyz\" (try help)");
    }

    @Test
    void unknownMessageSanitizesAndCutsTypedText() {
        assertThat(CloseMatch.unknown("x\u0003y\u0002z", NAMES)).hasMessage("unknown command \"x?y?z\" (try help)");
        String typed = "a".repeat(500);
        String msg = CloseMatch.unknown(typed, NAMES).getMessage();
        assertThat(msg).isEqualTo("unknown command \"" + "a".repeat(39) + "…\" (try help)");
    }

    @Test
    void longInputIsFast() {
        String typed = "q".repeat(4096);
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(CloseMatch.closest(typed, NAMES)).isEmpty();
        }
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }
}
