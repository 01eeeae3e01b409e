package org.buildduty.core.operation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;


class OperationPlanTest {
    private static OperationPlan plan(String... kv) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            params.put(kv[i], kv[i + 1]);
        }
        return new OperationPlan("say", params, List.of(), ApprovalPolicy.of("releng", 1), "steps");
    }

    @Test
    void aValueThatLooksLikeTwoParametersIsQuoted() {
        assertThat(plan("msg", "a b=c").paramSummary()).isEqualTo("msg='a b=c'");
        assertThat(plan("msg", "a b=c", "n", "2").paramSummary()).isEqualTo("msg='a b=c' n=2");
        assertThat(plan("msg", "x=1").paramSummary()).isEqualTo("msg='x=1'");
    }

    @Test
    void plainValuesStayBare() {
        assertThat(plan("masters", "all", "revision", "4f2a9c1", "path", "/srv/a-b_c.d:1,2").paramSummary())
                .isEqualTo("masters=all revision=4f2a9c1 path=/srv/a-b_c.d:1,2");
    }

    @Test
    void emptyValuesQuotesAndBackslashesAreQuotedSoTheyReadBackExactly() {
        assertThat(plan("a", "", "b", "x").paramSummary()).isEqualTo("a='' b=x");
        assertThat(plan("note", "it's").paramSummary()).isEqualTo("note=\"it's\"");
        assertThat(plan("note", "say \"hi\"").paramSummary()).isEqualTo("note='say \"hi\"'");
        assertThat(plan("note", "it's \"x\"").paramSummary()).isEqualTo("note='it'\\''s \"x\"'");
        assertThat(plan("note", "a\\b").paramSummary()).isEqualTo("note='a\\b'");
        assertThat(plan("note", "tab\there").paramSummary()).isEqualTo("note='tab\there'");
    }

    @Test
    void eachValueCanBeRedactedBeforeItIsQuoted() {
        assertThat(plan("token", "it's-s3cret", "n", "1").paramSummary(v -> v.replace("it's-s3cret", "***")))
                .isEqualTo("token=*** n=1");
    }
}
