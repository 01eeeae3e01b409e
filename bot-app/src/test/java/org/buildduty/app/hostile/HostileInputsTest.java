package org.buildduty.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.buildduty.core.parse.Tokenizer;

class HostileInputsTest {
    private static final Path CANARY = Path.of("/tmp/hostile-test/CANARY");

    @Test
    void atLeastTwoHundredUniquelyNamedPayloadsInEveryCategory() {
        List<HostileInputs.Payload> all = HostileInputs.all(CANARY);
        assertThat(all).hasSizeGreaterThanOrEqualTo(200);
        assertThat(all.stream().map(HostileInputs.Payload::toString).distinct()).hasSameSizeAs(all);
        Map<String, Long> byCategory = all.stream()
                .collect(Collectors.groupingBy(HostileInputs.Payload::category, Collectors.counting()));
        assertThat(byCategory.keySet()).containsExactlyInAnyOrderElementsOf(HostileInputs.CATEGORIES);
        assertThat(byCategory.values()).allMatch(n -> n >= 5);
    }

    @Test
    void everyShellPayloadTargetsTheCanaryAndTheListedFormsAreThere() {
        List<HostileInputs.Payload> shell = HostileInputs.of("shell", CANARY);
        assertThat(shell).allMatch(p -> HostileInputs.targetsCanary(p, CANARY));
        String texts = shell.stream().map(HostileInputs.Payload::text).collect(Collectors.joining("\u0000"));
        assertThat(texts).contains("$(touch " + CANARY + ")", "`touch " + CANARY + "`", "x;touch " + CANARY,
                "&& touch", "| touch", "> " + CANARY, "x\ntouch " + CANARY, "touch${IFS}" + CANARY);
    }

    @Test
    void controlsIrcLongAndUtf8CarryWhatTheyClaim() {
        Map<String, String> byName = HostileInputs.all(CANARY).stream()
                .collect(Collectors.toMap(HostileInputs.Payload::toString, HostileInputs.Payload::text));
        assertThat(byName.get("controls/nul")).contains("\u0000");
        for (int c = 1; c < 0x20; c++) {
            assertThat(byName.get(String.format("controls/c0-%02x", c))).contains(String.valueOf((char) c));
        }
        assertThat(byName.get("irc/ctcp-action")).startsWith("\u0001").endsWith("\u0001");
        assertThat(byName.get("long/a-10k")).hasSize(10 * 1024);
        assertThat(byName.get("long/a-100k")).hasSize(100 * 1024);
        assertThat(byName.get("utf8/lone-high-surrogate")).matches(s -> Character.isHighSurrogate(s.charAt(1)));
        assertThat(byName.get("options/masters-proxycommand")).isEqualTo("--masters=-oProxyCommand=touch " + CANARY);
    }

    @Test
    void theBackquoteDashDotAndJsonPayloadsCarryWhatTheyClaim() {
        List<HostileInputs.Payload> backquotes = HostileInputs.of("backquotes", CANARY);
        assertThat(backquotes).allMatch(p -> HostileInputs.targetsCanary(p, CANARY) && p.text().contains("`"));
        assertThat(HostileInputs.of("dashes", CANARY)).allMatch(p -> p.text().startsWith("-"));
        assertThat(HostileInputs.of("dots", CANARY)).extracting(HostileInputs.Payload::text)
                .contains(".", "..", "%2e", "%2E%2e", ".%2e");
        assertThat(HostileInputs.of("json", CANARY)).extracting(HostileInputs.Payload::text)
                .contains("1, \"admin\": true", "\"}, \"admin\": true, {\"", "{}", "[1, 2]");
    }

    @Test
    void quotedTextComesBackAsOneWordThroughTheBotsTokenizer() {
        Function<String, List<String>> typed = s -> Tokenizer.tokenize("run " + HostileInputs.quoted(s));
        for (HostileInputs.Payload p : HostileInputs.all(CANARY)) {
            String t = p.text();
            boolean typeable = t.codePoints().noneMatch(c -> c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f)
                    && t.codePointCount(0, t.length()) < Tokenizer.MAX_LENGTH - 10;
            if (typeable) {
                assertThat(typed.apply(t)).as(p.toString()).containsExactly("run", t);
            }
        }
    }

    @Test
    void aSampleTakesTheFirstFewOfEachCategory() {
        List<HostileInputs.Payload> sample = HostileInputs.sample(CANARY, 2);
        assertThat(sample).hasSize(2 * HostileInputs.CATEGORIES.size());
        assertThat(sample.get(0).toString()).isEqualTo("shell/subst");
    }
}
