package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.buildduty.core.UsageException;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.param.Escapes;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.parse.Tokenizer;

/**
 * What every answer to a hostile message must satisfy, wherever it was read (in-process or on the jar's stdout),
 * and the byte scans for the secret.
 */
final class HostileChecks {
    /** A payload echoed back this long or longer was not cut. */
    static final int ECHO_LIMIT = 450;
    /** The longest one-line refusal (a usage line of the longest runbook synopsis fits). */
    static final int REFUSAL_MAX = 600;
    /** The forms a refusal takes: one line saying what is wrong (usage, validation, unknown, not allowed). */
    static final Pattern REFUSAL = Pattern.compile("^(unknown (command|option|parameter|runbook|host) |missing "
            + "|option --|bad value for |not an? |no (operation|maintenance) |unterminated (single|double) quote "
            + "|trailing backslash|control character U\\+|command too long |a command is one line|value of --"
            + "|usage: |run [a-z-]+: |[a-z]+( [a-z]+)? takes |#\\d+ is not |not allowed|refused).*");
    private static final Pattern STARTED = Pattern.compile("^hostile #(\\d+) started");

    private final String secret;
    /** First words of answers, counted: the forms the bot answers hostile input with. */
    private final Map<String, Integer> forms = new TreeMap<>();
    private final Map<String, String> examples = new TreeMap<>();
    private int runsChecked;
    private int refusals;

    HostileChecks(String secret) {
        this.secret = secret;
    }

    /**
     * Checks the lines the bot sent for one message: an answer came (unless the message was blank), no internal
     * error or stack trace, no unsafe character (C0 and IRC codes, C1, bidi overrides, lone surrogates; a newline
     * only between lines), no uncut echo of a long payload, no secret, and a {@code run hostile} that ran printed
     * its {@code --msg} exactly, as one shell word.
     */
    void answer(String payload, String message, List<String> lines) {
        String what = "answer to " + Sanitize.forDisplay(message, 120);
        if (!addressed(message)) {
            assertThat(lines).as(what + " (not addressed to the bot)").isEmpty();
            return;
        }
        assertThat(lines).as(what).isNotEmpty();
        forms.merge(form(lines.get(0)), 1, Integer::sum);
        examples.putIfAbsent(form(lines.get(0)), Sanitize.forDisplay(lines.get(0), 160));
        safeLines(what, payload, lines);
        String text = message.strip().startsWith("!") ? message.strip().substring(1) : message.strip();
        boolean tokenizes;
        try {
            Tokenizer.tokenize(text);
            tokenizes = true;
        } catch (UsageException e) {
            tokenizes = false;
        }
        if (!tokenizes) {
            assertThat(lines).as(what + ": one refusal for a line the tokenizer rejects").hasSize(1);
            assertThat(lines.get(0)).as(what).matches(REFUSAL);
        }
        if (REFUSAL.matcher(lines.get(0)).matches()) {
            refusals++;
            assertThat(lines.get(0).codePointCount(0, lines.get(0).length())).as(what + ": a short refusal")
                    .isLessThanOrEqualTo(REFUSAL_MAX);
        }
        Optional<String> msg = HostileMessages.hostileMsg(message);
        Optional<String> op = lines.stream().map(STARTED::matcher).filter(Matcher::find).map(m -> m.group(1))
                .findFirst();
        Optional<String> leak = HostileMessages.runMsg(message, "leak");
        if (msg.filter(v -> v.startsWith("-")).isPresent() || leak.filter(v -> v.startsWith("-")).isPresent()) {
            assertThat(lines).as(what + ": a value starting with - starts nothing")
                    .noneMatch(l -> l.contains(" started"));
            assertThat(lines.get(0)).as(what).matches(REFUSAL);
        }
        if (leak.filter(Escapes::isDotSegment).isPresent()) {
            assertThat(lines).as(what + ": a dot segment into the url starts nothing")
                    .noneMatch(l -> l.contains(" started"));
            assertThat(lines.get(0)).as(what).matches(REFUSAL);
        }
        if (msg.isPresent() && op.isPresent()) {
            String prefix = "#" + op.get() + "| ";
            List<String> printed = lines.stream().filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length())).toList();
            assertThat(printed).as(what + ": the operation's output").isNotEmpty();
            String shown = printed.get(0);
            what = what + " " + lines.stream().map(l -> Sanitize.forDisplay(l, 200)).toList();
            if (shown.endsWith(Sanitize.ELLIPSIS) && !msg.get().endsWith(Sanitize.ELLIPSIS)) {
                // a long output line is cut for the room: what is shown is still the start of the value
                assertThat(msg.get()).as(what + ": --msg printed literally, cut")
                        .startsWith(shown.substring(0, shown.length() - 1));
            } else {
                assertThat(shown).as(what + ": --msg printed literally").isEqualTo(msg.get());
            }
            runsChecked++;
        }
    }

    /**
     * What every line the bot sent must satisfy, whatever it answers: no internal error or stack trace, no secret,
     * no unsafe character (C0 and IRC codes, C1, bidi overrides, lone surrogates), no uncut echo of a long payload.
     */
    void safeLines(String what, String payload, List<String> lines) {
        for (String line : lines) {
            assertThat(line).as(what).doesNotContain("internal error").doesNotContain("Exception")
                    .doesNotStartWith("\tat ").doesNotContain(secret);
            assertThat(line.codePoints().filter(Sanitize::isUnsafe).mapToObj(Integer::toHexString).toList())
                    .as(what + ": unsafe characters in " + Sanitize.forDisplay(line, 200)).isEmpty();
            if (payload.length() > ECHO_LIMIT) {
                assertThat(line).as(what + ": uncut echo").doesNotContain(payload.substring(0, ECHO_LIMIT));
            }
        }
    }

    /** Each message the bot sent fits one console message ({@link Capabilities#terminal()}'s byte limit). */
    void messageSizes(String message, List<String> texts) {
        int max = Capabilities.terminal().maxMessageBytes();
        for (String t : texts) {
            assertThat(t.getBytes(StandardCharsets.UTF_8).length)
                    .as("a message answering " + Sanitize.forDisplay(message, 120)).isLessThanOrEqualTo(max);
        }
    }

    /** False for a blank line and for {@code !!...} or a lone {@code !}, which the bot leaves to people. */
    static boolean addressed(String message) {
        String t = message.strip();
        return !t.isEmpty() && !(t.startsWith("!") && (t.substring(1).isBlank() || t.startsWith("!!")));
    }

    /** The first two words of a line, numbers and quoted values blanked: a coarse "form" of the answer. */
    private static String form(String line) {
        String[] words = line.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("[0-9]+", "N").split(" ");
        return words.length == 1 ? words[0] : words[0] + " " + words[1];
    }

    Map<String, Integer> forms() {
        return forms;
    }

    Map<String, String> examples() {
        return examples;
    }

    int refusals() {
        return refusals;
    }

    int runsChecked() {
        return runsChecked;
    }

    /** The secret is in none of the files under {@code dir} (journal, -wal, -shm, logs), as bytes. */
    void notInFiles(Path dir) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(indexOf(Files.readAllBytes(f), needle)).as("the secret in " + f).isEqualTo(-1);
            }
        }
    }

    /** The secret is not in {@code text} (a log, a stream, a web page). */
    void notIn(String where, String text) {
        assertThat(text).as("the secret in " + where).doesNotContain(secret);
    }

    /**
     * The hook for the web status page: once the bot serves pages in these tests, fetch each page a hostile run
     * touched ({@code /}, {@code /ops/N}) and pass its text here; the same secret and escaping rules apply.
     */
    void webPage(String url, String html) {
        notIn("web page " + url, html);
        assertThat(html).as(url).doesNotContain("<script>alert(1)</script>");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
