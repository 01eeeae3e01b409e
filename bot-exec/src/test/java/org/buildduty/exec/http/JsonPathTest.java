package org.buildduty.exec.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

class JsonPathTest {
    private static final JsonNode DOC = Json.parse("{\"builds\":[{\"buildid\":7,\"state\":\"done\"},"
            + "{\"buildid\":9,\"props\":{\"a.b\":\"dotted\",\"it's\":1}}],\"result\":[3,{\"2\":11}],"
            + "\"name\":\"héllo\",\"empty\":{},\"nothing\":null,\"flag\":false,\"meta\":{\"total\":2}}");

    private static String at(String path) {
        return JsonPath.parse(path).find(DOC).map(JsonNode::toString).orElse("<missing>");
    }

    @Test
    void findsValues() {
        String[][] cases = {
            {"$.builds[0].buildid", "7"},
            {"$.builds[-1].buildid", "9"},
            {"$.builds[-2].state", "\"done\""},
            {"$['builds'][1]['props']['a.b']", "\"dotted\""},
            {"$.builds[1].props[\"a.b\"]", "\"dotted\""},
            {"$.builds[1].props['it\\'s']", "1"},
            {"$.result[1]['2']", "11"},
            {"$.meta.total", "2"},
            {"$.nothing", "null"},
            {"$.flag", "false"},
            {"$.builds.length()", "2"},
            {"$.builds[1].props.length()", "2"},
            {"$.empty.length()", "0"},
            {"$.name.length()", "5"},
            {"$", DOC.toString()},
            {" $.builds[ 0 ].buildid ", "7"},
        };
        SoftAssertions soft = new SoftAssertions();
        for (String[] c : cases) {
            soft.assertThat(at(c[0])).as(c[0]).isEqualTo(c[1]);
        }
        soft.assertAll();
    }

    @Test
    void missingValuesAreEmpty() {
        SoftAssertions soft = new SoftAssertions();
        for (String path : new String[] {"$.nope", "$.builds[2]", "$.builds[-3]", "$.builds.buildid", "$.meta[0]",
            "$.meta.total.length()", "$.nothing.x", "$.flag.length()", "$.builds[0].buildid.more"}) {
            soft.assertThat(at(path)).as(path).isEqualTo("<missing>");
        }
        soft.assertAll();
    }

    @Test
    void badPathsSayWhatIsWrongAndWhere() {
        String[][] cases = {
            {"build.id", "must start with $ (e.g. $.build.id) (at character 1)"},
            {"$.", "expected a member name after . (at character 2)"},
            {"$.a[", "unclosed [ (at character 4)"},
            {"$.a[x]", "expected an index like [0] or [-1], or a quoted key like ['name'], not [x] (at character 4)"},
            {"$.a['b]", "unclosed quote (at character 5)"},
            {"$.a['b'x]", "expected ] after the quoted key (at character 8)"},
            {"$.a b", "unexpected \" \" (use .name, ['key'] or [index]) (at character 4)"},
            {"$.a.size()", "only .length() may end a path (at character 9)"},
            {"$.length().a", "only .length() may end a path (at character 9)"},
            {"$a", "unexpected \"a\" (use .name, ['key'] or [index]) (at character 2)"},
            {"$.a\u0007", "unexpected control character"},
        };
        SoftAssertions soft = new SoftAssertions();
        for (String[] c : cases) {
            soft.assertThatThrownBy(() -> JsonPath.parse(c[0])).as(c[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bad JSON path \"" + c[0] + "\": ").hasMessageContaining(c[1]);
        }
        soft.assertAll();
    }

    @Test
    void emptyPathIsRefused() {
        assertThatThrownBy(() -> JsonPath.parse("  ")).hasMessage("empty JSON path (write e.g. $.build.id)");
    }

    @Test
    void equalityFollowsTheTrimmedText() {
        assertThat(JsonPath.parse(" $.a ")).isEqualTo(JsonPath.parse("$.a")).hasToString("$.a");
        assertThat(JsonPath.parse("$.a")).isNotEqualTo(JsonPath.parse("$.b"));
    }
}
