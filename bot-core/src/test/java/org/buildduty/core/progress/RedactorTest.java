package org.buildduty.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
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

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicCredentialsAreRedactedAsSentInTheAuthorizationHeader() {
        Redactor r = Redactor.builder().basic("alice", "pa55:w0rd/x").build();

        assertThat(r.redact("Authorization: Basic " + b64("alice:pa55:w0rd/x"))).isEqualTo("Authorization: Basic ***");
        assertThat(r.redact("password pa55:w0rd/x")).isEqualTo("password ***");
        assertThat(r.redact("user alice")).as("the user alone is no secret").isEqualTo("user alice");
    }

    @Test
    void base64OfTheSecretIsRedactedAloneOrInsideALongerEncoding() {
        String secret = "tok-s3cr3t-value";
        Redactor r = new Redactor(List.of(secret));

        assertThat(r.redact("token " + b64(secret))).isEqualTo("token ***");
        assertThat(r.redact("token " + b64(secret).replace("=", ""))).isEqualTo("token ***");
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString("tok-s3cr3t-value?>>"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(new Redactor(List.of("tok-s3cr3t-value?>>")).redact("t=" + urlSafe)).isEqualTo("t=***");
        for (String prefix : List.of("b", "bo", "bot:", "\u0000bot\u0000", "Authorization for bob:")) {
            String out = r.redact(b64(prefix + secret + "-and-more"));
            assertThat(out).as(prefix).contains("***");
            String decodable = decodeEveryWay(out);
            for (int i = 0; i + 5 <= secret.length(); i++) {
                assertThat(decodable).as(prefix).doesNotContain(secret.substring(i, i + 5));
            }
        }
    }

    /** Every run of base64 characters in {@code text} decoded from each of its four alignments. */
    private static String decodeEveryWay(String text) {
        StringBuilder out = new StringBuilder();
        for (String run : text.split("[^A-Za-z0-9+/]+")) {
            for (int shift = 0; shift < 4; shift++) {
                for (int i = shift; i + 4 <= run.length(); i += 4) {
                    out.append(new String(Base64.getDecoder().decode(run.substring(i, i + 4)),
                            StandardCharsets.ISO_8859_1));
                }
                out.append('|');
            }
        }
        return out.toString();
    }

    @Test
    void urlEncodedAndJsonEscapedFormsAreRedacted() {
        String secret = "p@ss w/rd\\\"q+&é";
        Redactor r = new Redactor(List.of(secret));
        String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);

        assertThat(r.redact("GET /x?pw=" + form + "&a=1")).isEqualTo("GET /x?pw=***&a=1");
        assertThat(r.redact("pw=" + form.replace("+", "%20"))).isEqualTo("pw=***");
        assertThat(r.redact("pw=p%40ss%20w%2frd%5c%22q%2b%26%c3%a9")).isEqualTo("pw=***");
        assertThat(r.redact("pw=p%40ss%20w%2Frd%5C%22q%2B%26%C3%A9")).isEqualTo("pw=***");
        assertThat(r.redact("{\"password\":\"p@ss w/rd\\\\\\\"q+&é\"}")).isEqualTo("{\"password\":\"***\"}");
        assertThat(r.redact("{\"password\":\"p@ss w\\/rd\\\\\\\"q+&\\u00e9\"}")).isEqualTo("{\"password\":\"***\"}");
    }

    @Test
    void theHeadOfASecretCutOffByATruncationIsRedacted() {
        Redactor r = new Redactor(List.of("tok-s3cr3t-value"));

        assertThat(r.redact("Authorization: Bearer tok-s3c…")).isEqualTo("Authorization: Bearer ***…");
        assertThat(r.redact("bm01: exit 1 (token tok-s3cr3t-valu…)")).isEqualTo("bm01: exit 1 (token ***…)");
        assertThat(r.redact("key " + b64("tok-s3cr3t-value").substring(0, 9) + "…")).isEqualTo("key ***…");
        assertThat(r.redact("tok-s3cr3t-value and tok-s3cr…")).isEqualTo("*** and ***…");
        assertThat(r.redact("Downloading…")).isEqualTo("Downloading…");
        assertThat(r.redact("fetching to…")).as("two characters are no head").isEqualTo("fetching to…");
    }

    @Test
    void cutRedactsFirstThenShortensToTheLimit() {
        Redactor r = new Redactor(List.of("tok-s3cr3t-value"));
        String line = "x".repeat(20) + "tok-s3cr3t-value" + "y".repeat(20);

        assertThat(r.cut(line, 30)).isEqualTo("x".repeat(20) + "***" + "y".repeat(6) + "…").hasSize(30);
        assertThat(r.cut(line, 25)).isEqualTo("x".repeat(20) + "***" + "y" + "…");
        assertThat(r.cut("short tok-s3cr3t-value", 100)).isEqualTo("short ***");
        assertThat(Redactor.NONE.cut("abcdef", 4)).isEqualTo("abc…");
    }
}
