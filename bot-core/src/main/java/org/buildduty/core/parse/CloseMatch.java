package org.buildduty.core.parse;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

import org.buildduty.core.UnknownCommandException;

/**
 * Finds the known name closest to a mistyped one, for "did you mean" hints.
 *
 * <p>Distance is the optimal string alignment (restricted Damerau–Levenshtein) distance over code points, ignoring
 * case: one insertion, deletion, substitution or swap of two neighbours costs 1. A name is a candidate when its
 * distance is at most {@code max(1, typed length / 3)}, or when it starts with the typed text and that text has at
 * least 2 characters. The best candidate has the smallest distance, then the shortest name, then comes first
 * alphabetically.
 *
 * <pre>{@code
 * CloseMatch.closest("reconfgi", List.of("reconfig", "approve"));   // Optional[reconfig]
 * CloseMatch.closest("rec", List.of("reconfig", "approve"));        // Optional[reconfig]
 * CloseMatch.unknown("xyz", names).getMessage();                    // unknown command "xyz" (try help)
 * }</pre>
 */
public final class CloseMatch {
    /** Typed text is cut to this many characters when shown back to the user. */
    public static final int DISPLAY_LIMIT = 40;

    private CloseMatch() {
    }

    /** Returns the name closest to {@code typed}, if one is close enough; the name is returned as given. */
    public static Optional<String> closest(String typed, Collection<String> names) {
        int[] t = codePoints(typed);
        if (t.length == 0) {
            return Optional.empty();
        }
        int limit = Math.max(1, t.length / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        Comparator<String> tieBreak = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());
        for (String name : names) {
            int[] c = codePoints(name);
            boolean prefix = t.length >= 2 && startsWith(c, t);
            int distance;
            if (Math.abs(c.length - t.length) > limit) {
                if (!prefix) {
                    continue;
                }
                distance = c.length - t.length;
            } else {
                distance = distance(t, c);
                if (distance > limit && !prefix) {
                    continue;
                }
            }
            if (best == null || distance < bestDistance
                    || (distance == bestDistance && tieBreak.compare(name, best) < 0)) {
                best = name;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Returns the exception for an unknown command, naming the closest known name when there is one.
     *
     * <pre>{@code
     * unknown command "reconfgi" - did you mean "reconfig"? (try help)
     * unknown command "xyz" (try help)
     * }</pre>
     * The typed text is shown through {@link Sanitize#forDisplay(String, int)}, cut to {@value #DISPLAY_LIMIT}.
     */
    public static UnknownCommandException unknown(String typed, Collection<String> names) {
        String shown = Sanitize.forDisplay(typed, DISPLAY_LIMIT);
        return closest(typed, names)
                .map(m -> new UnknownCommandException(
                        "unknown command \"" + shown + "\" - did you mean \"" + m + "\"? (try help)"))
                .orElseGet(() -> new UnknownCommandException("unknown command \"" + shown + "\" (try help)"));
    }

    /** The optimal string alignment distance between two code point arrays. */
    static int distance(int[] a, int[] b) {
        int[][] d = new int[a.length + 1][b.length + 1];
        for (int i = 0; i <= a.length; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length][b.length];
    }

    /** The optimal string alignment distance between two strings, ignoring case. */
    static int distance(String a, String b) {
        return distance(codePoints(a), codePoints(b));
    }

    private static boolean startsWith(int[] s, int[] prefix) {
        if (prefix.length > s.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (s[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int[] codePoints(String s) {
        return s.toLowerCase(Locale.ROOT).codePoints().toArray();
    }
}
