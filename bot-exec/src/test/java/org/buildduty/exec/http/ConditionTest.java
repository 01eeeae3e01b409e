package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ConditionTest {
    private static final JsonNode DOC = Json.parse("{\"state_name\":\"build\",\"state\":2,\"version\":\"20171005\","
            + "\"complete\":true,\"results\":null,\"tasks\":[1,2,3],\"meta\":{\"total\":3},\"ratio\":0.5}");

    private static boolean holds(Map<String, Object> spec) {
        return WaitCondition.parse(spec).holds(DOC);
    }

    private static Map<String, Object> test(String path, String op, Object value) {
        return Map.of("path", path, op, value);
    }

    @Test
    void equalsIsLenientAboutTypesBecauseRunbookScalarsAreText() {
        assertThat(holds(test("$.state_name", "equals", "build"))).isTrue();
        assertThat(holds(test("$.state_name", "equals", "done"))).isFalse();
        assertThat(holds(test("$.state", "equals", "2"))).isTrue();
        assertThat(holds(test("$.state", "equals", 2))).isTrue();
        assertThat(holds(test("$.state", "equals", "2.0"))).isTrue();
        assertThat(holds(test("$.state", "equals", "two"))).isFalse();
        assertThat(holds(test("$.complete", "equals", "true"))).isTrue();
        assertThat(holds(test("$.complete", "equals", true))).isTrue();
        assertThat(holds(test("$.complete", "equals", "false"))).isFalse();
        assertThat(holds(test("$.results", "equals", "null"))).isTrue();
        assertThat(holds(test("$.version", "equals", "20171005"))).isTrue();
        assertThat(holds(test("$.tasks", "equals", List.of("1", "2", "3")))).isTrue();
        assertThat(holds(test("$.tasks", "equals", List.of("1", "2")))).isFalse();
        assertThat(holds(test("$.meta", "equals", Map.of("total", "3")))).isTrue();
        assertThat(holds(test("$.meta", "equals", Map.of("total", "4")))).isFalse();
        assertThat(holds(test("$.state_name", "not_equals", "done"))).isTrue();
        assertThat(holds(test("$.state_name", "not_equals", "build"))).isFalse();
    }

    @Test
    void listAndOrderingOperators() {
        assertThat(holds(test("$.state_name", "in", List.of("done", "build")))).isTrue();
        assertThat(holds(test("$.state_name", "in", List.of("done", "ready")))).isFalse();
        assertThat(holds(test("$.state", "not_in", List.of("3", "4")))).isTrue();
        assertThat(holds(test("$.state", "not_in", List.of("2")))).isFalse();
        assertThat(holds(test("$.state", "lt", "3"))).isTrue();
        assertThat(holds(test("$.state", "lt", "2"))).isFalse();
        assertThat(holds(test("$.state", "le", "2"))).isTrue();
        assertThat(holds(test("$.state", "gt", 1))).isTrue();
        assertThat(holds(test("$.state", "ge", "2.5"))).isFalse();
        assertThat(holds(test("$.ratio", "lt", "1"))).isTrue();
        assertThat(holds(test("$.version", "gt", "20170000"))).isTrue();
        assertThat(holds(test("$.state_name", "gt", "1"))).isFalse();
        assertThat(holds(test("$.tasks.length()", "ge", "3"))).isTrue();
    }

    @Test
    void missingValuesOnlySatisfyExistsFalse() {
        assertThat(holds(test("$.nope", "exists", "false"))).isTrue();
        assertThat(holds(test("$.nope", "exists", true))).isFalse();
        assertThat(holds(test("$.state", "exists", "true"))).isTrue();
        assertThat(holds(test("$.results", "exists", "true"))).isTrue();
        assertThat(holds(test("$.nope", "not_equals", "x"))).isFalse();
        assertThat(holds(test("$.nope", "not_in", List.of("x")))).isFalse();
        assertThat(holds(test("$.nope", "lt", "1"))).isFalse();
    }

    @Test
    void allAndAnyCombine() {
        Map<String, Object> all = Map.of("all", List.of(test("$.complete", "equals", "true"),
                test("$.state", "ge", "2")));
        Map<String, Object> allFails = Map.of("all", List.of(test("$.complete", "equals", "true"),
                test("$.state", "gt", "2")));
        Map<String, Object> any = Map.of("any", List.of(test("$.state_name", "equals", "done"),
                Map.of("all", List.of(test("$.state", "equals", "2")))));
        assertThat(holds(all)).isTrue();
        assertThat(holds(allFails)).isFalse();
        assertThat(holds(any)).isTrue();
        assertThat(holds(Map.of("any", List.of(test("$.x", "exists", "true"))))).isFalse();
    }

    @Test
    void describesItselfAndListsItsPaths() {
        WaitCondition c = WaitCondition.parse(Map.of("any", List.of(
                test("$.state_name", "in", List.of("done", "ready")),
                test("$.state", "ge", "3"), test("$.state_name", "equals", "failed"), test("$.x", "exists", "false"),
                test("$.complete", "not_equals", "true"))));
        assertThat(c.describe()).isEqualTo("($.state_name in [\"done\", \"ready\"] or $.state >= 3"
                + " or $.state_name = \"failed\" or $.x does not exist or $.complete != true)");
        assertThat(c.paths()).extracting(JsonPath::text).containsExactly("$.state_name", "$.state", "$.x",
                "$.complete");
        assertThat(WaitCondition.parse(test("$.n", "lt", 5)).describe()).isEqualTo("$.n < 5");
    }

    @Test
    void badConditionsSayWhatIsWrong() {
        assertBad("done", "a condition is a mapping like { path: $.state, equals: done }, or { all: [...] } or"
                + " { any: [...] } of conditions");
        assertBad(Map.of("equals", "done"), "a condition needs a path, e.g. path: $.state");
        assertBad(Map.of("path", "$.s"), "a condition needs one operator: equals, not_equals, in, not_in, lt, le,"
                + " gt, ge, exists");
        assertBad(Map.of("path", "$.s", "equal", "x"), "unknown key \"equal\" in a condition (known: path, equals,"
                + " not_equals, in, not_in, lt, le, gt, ge, exists, all, any)");
        assertBad(new LinkedHashMap<>(Map.of("path", "$.s", "equals", "x", "in", List.of("y"))),
                "a condition has one operator, not ");
        assertBad(test("$.s", "in", "done"), "in needs a non-empty list, e.g. [done, ready]");
        assertBad(test("$.s", "lt", "soon"), "lt needs a number, not \"soon\"");
        assertBad(test("$.s", "exists", "maybe"), "exists must be true or false, not \"maybe\"");
        assertBad(test("s", "equals", "x"), "bad JSON path \"s\": must start with $");
        assertBad(Map.of("all", List.of()), "all needs a non-empty list of conditions");
        assertBad(Map.of("any", List.of(test("$.a", "equals", "1"), test("$.b", "lt", "x"))),
                "any[1]: lt needs a number, not \"x\"");
        assertBad(Map.of("all", List.of(Map.of("any", List.of("oops")))), "all[0].any[0]: a condition is a mapping");
        assertBad(Map.of("all", List.of(test("$.a", "equals", "1")), "path", "$.b"),
                "all stands alone in its mapping, not with [path]");
    }

    private static void assertBad(Object spec, String message) {
        assertThatThrownBy(() -> WaitCondition.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
