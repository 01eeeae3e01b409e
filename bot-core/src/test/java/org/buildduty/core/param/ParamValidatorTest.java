package org.buildduty.core.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.buildduty.core.InvalidValueException;

class ParamValidatorTest {
    static final Inventory INV = new Inventory() {
        @Override
        public Set<String> hosts() {
            return Set.of("bm01", "bm02", "bm03", "bastion");
        }

        @Override
        public Map<String, List<String>> groups() {
            Map<String, List<String>> m = new LinkedHashMap<>();
            m.put("masters", List.of("bm01", "bm02", "bm03"));
            m.put("empty", List.of());
            return m;
        }

        @Override
        public List<String> diskRoots(String host) {
            return host.equals("bm01") ? List.of("/srv", "/var/log/") : List.of();
        }
    };

    static ParamValue ok(ParamType type, String raw) {
        return ParamValidator.validate(ParamSpec.of("p", type, null), raw, INV);
    }

    static String bad(ParamSpec spec, String raw) {
        try {
            ParamValidator.validate(spec, raw, INV);
        } catch (InvalidValueException e) {
            assertThat(e.getMessage()).startsWith("bad value for --" + spec.name() + ": ");
            assertThat(e.getMessage()).doesNotContain("\n", "\0", "\r", "\u0003", "\u202e");
            return e.getMessage();
        }
        throw new AssertionError("accepted " + raw);
    }

    static String bad(ParamType type, String raw) {
        return bad(ParamSpec.of("p", type, null), raw);
    }

    @Test
    void bools() {
        assertThat(ok(ParamType.BOOL, "true").value()).isEqualTo("true");
        assertThat(ok(ParamType.BOOL, "Yes").value()).isEqualTo("true");
        assertThat(ok(ParamType.BOOL, "on").value()).isEqualTo("true");
        assertThat(ok(ParamType.BOOL, "FALSE").value()).isEqualTo("false");
        assertThat(ok(ParamType.BOOL, "no").value()).isEqualTo("false");
        assertThat(ok(ParamType.BOOL, "off").hosts()).isEmpty();
        assertThat(bad(ParamType.BOOL, "1")).isEqualTo("bad value for --p: must be true or false, not \"1\"");
        assertThat(bad(ParamType.BOOL, "")).isEqualTo("bad value for --p: empty value");
    }

    @Test
    void ints() {
        ParamSpec bounded = new ParamSpec("parallel", ParamType.INT, null, List.of(), "", 1L, 50L);
        assertThat(ParamValidator.validate(bounded, "10", INV).value()).isEqualTo("10");
        assertThat(ParamValidator.validate(bounded, "007", INV).value()).isEqualTo("7");
        assertThat(ok(ParamType.INT, "-3").value()).isEqualTo("-3");
        assertThat(bad(bounded, "0")).isEqualTo("bad value for --parallel: must be at least 1");
        assertThat(bad(bounded, "51")).isEqualTo("bad value for --parallel: must be at most 50");
        assertThat(bad(bounded, "+5")).isEqualTo("bad value for --parallel: must be a whole number, not \"+5\"");
        for (String s : new String[] {"", "1.5", "1e3", " 5", "5 ", "0x10", "5;rm", "1234567890123456789", "٣",
            "$(echo 1)", "`1`", "5\n"}) {
            bad(ParamType.INT, s);
        }
    }

    @Test
    void revisions() {
        for (String s : new String[] {"4f2a9c1", "4f2a9c1e0b7d4f2a9c1e0b7d4f2a9c1e0b7d4f2a", "tip", "v1.2.3",
            "release/2024.05", "FIREFOX_125_0_RELEASE", "a-b"}) {
            assertThat(ok(ParamType.REVISION, s).value()).isEqualTo(s);
        }
        String rule = "bad value for --p: must be a hex commit (7-40) or a tag/branch name ([A-Za-z0-9._/-], not "
                + "starting with -)";
        for (String s : new String[] {"-oProxyCommand=touch /tmp/x", "--upload-pack=x", "a;b", "$(id)", "`id`",
            "a b", "x\ny", "a\0b", "../../etc", "a..b", "típ", "tір", "r\u202etxt", "a".repeat(201)}) {
            assertThat(bad(ParamType.REVISION, s)).as(s).isEqualTo(rule);
        }
    }

    @Test
    void hosts() {
        ParamValue v = ok(ParamType.HOST, "bm01");
        assertThat(v.hosts()).containsExactly("bm01");
        assertThat(v.display()).isEqualTo("bm01");
        assertThat(bad(ParamType.HOST, "bm99"))
                .isEqualTo("bad value for --p: unknown host \"bm99\" (hosts: bastion, bm01, bm02, bm03)");
        assertThat(bad(ParamType.HOST, "-oProxyCommand=touch /tmp/x")).contains("unknown host");
        assertThat(bad(ParamType.HOST, "bm0\u0031\n")).contains("\"bm01?\"");
        bad(ParamType.HOST, "bm01 ");
        bad(ParamType.HOST, "BM01");
        bad(ParamType.HOST, "bмo1");
        bad(ParamType.HOST, "masters");
    }

    @Test
    void groups() {
        ParamValue all = ok(ParamType.GROUP, "masters");
        assertThat(all.value()).isEqualTo("masters");
        assertThat(all.hosts()).containsExactly("bm01", "bm02", "bm03");
        assertThat(all.display()).isEqualTo("masters (3)");
        ParamValue list = ok(ParamType.GROUP, "bm02,bm01");
        assertThat(list.value()).isEqualTo("bm02,bm01");
        assertThat(list.hosts()).containsExactly("bm02", "bm01");
        assertThat(ok(ParamType.GROUP, "bastion").hosts()).containsExactly("bastion");
        assertThat(bad(ParamType.GROUP, "bm01,bm01")).isEqualTo("bad value for --p: host \"bm01\" is listed twice");
        assertThat(bad(ParamType.GROUP, "bm01,,bm02")).contains("empty host name");
        assertThat(bad(ParamType.GROUP, "bm01,")).contains("empty host name");
        assertThat(bad(ParamType.GROUP, "empty")).isEqualTo("bad value for --p: group \"empty\" has no hosts");
        assertThat(bad(ParamType.GROUP, "master")).isEqualTo("bad value for --p: unknown group or host \"master\" "
                + "(groups: empty, masters; hosts: bastion, bm01, bm02, bm03)");
        bad(ParamType.GROUP, "bm01, bm02");
        bad(ParamType.GROUP, "masters;id");
        bad(ParamType.GROUP, "-oProxyCommand=x");
    }

    @Test
    void pathsUnderTheInventoryRoots() {
        assertThat(ok(ParamType.PATH, "/srv").value()).isEqualTo("/srv");
        assertThat(ok(ParamType.PATH, "/srv/builds//old/").value()).isEqualTo("/srv/builds/old");
        assertThat(ok(ParamType.PATH, "/var/log/nginx").value()).isEqualTo("/var/log/nginx");
        assertThat(ok(ParamType.PATH, "/srv/a b/$(x)").value()).isEqualTo("/srv/a b/$(x)");
        assertThat(bad(ParamType.PATH, "/srv/../etc/passwd"))
                .isEqualTo("bad value for --p: path must not contain . or .. segments: \"/srv/../etc/passwd\"");
        bad(ParamType.PATH, "/srv/./x");
        bad(ParamType.PATH, "/srv/..");
        assertThat(bad(ParamType.PATH, "srv/x")).contains("must be an absolute path");
        bad(ParamType.PATH, "../srv");
        bad(ParamType.PATH, "-rf");
        assertThat(bad(ParamType.PATH, "/srvx/data"))
                .isEqualTo("bad value for --p: \"/srvx/data\" is not under an allowlisted root (/srv, /var/log/)");
        bad(ParamType.PATH, "/etc");
        bad(ParamType.PATH, "/");
        assertThat(bad(ParamType.PATH, "/srv/a\nb")).contains("\"/srv/a?b\"");
        bad(ParamType.PATH, "/srv/a\0b");
        bad(ParamType.PATH, "/srv/" + "x".repeat(1100));
    }

    @Test
    void pathsUnderTheSpecRoots() {
        ParamSpec spec = new ParamSpec("dir", ParamType.PATH, null, List.of(), "", null, null, List.of("/data"));
        assertThat(ParamValidator.validate(spec, "/data/x", INV).value()).isEqualTo("/data/x");
        assertThat(bad(spec, "/srv/x")).contains("(/data)");
        assertThat(ParamValidator.path("path", "/opt//y/", List.of("/opt"))).isEqualTo("/opt/y");
        assertThatThrownBy(() -> ParamValidator.path("path", "/x", List.of()))
                .hasMessage("bad value for --path: no allowlisted path roots are configured");
        assertThat(ParamValidator.path("path", "/anything", List.of("/"))).isEqualTo("/anything");
    }

    @Test
    void enums() {
        ParamSpec spec = new ParamSpec("mode", ParamType.ENUM, null, List.of("fast", "safe"), "", null, null);
        assertThat(ParamValidator.validate(spec, "safe", INV).value()).isEqualTo("safe");
        assertThat(bad(spec, "Safe")).isEqualTo("bad value for --mode: \"Safe\" is not one of: fast, safe");
        bad(spec, "safe ");
        bad(spec, "");
    }

    @Test
    void durations() {
        assertThat(ok(ParamType.DURATION, "90m").value()).isEqualTo("1h30m");
        assertThat(ok(ParamType.DURATION, "7d").value()).isEqualTo("7d");
        assertThat(bad(ParamType.DURATION, "7"))
                .isEqualTo("bad value for --p: not a duration: \"7\" (use a number and a unit: 30s, 10m, 2h, 7d,"
                        + " 1h30m)");
        bad(ParamType.DURATION, " 7d");
        bad(ParamType.DURATION, "7d;rm");
        bad(ParamType.DURATION, "-7d");
    }

    @Test
    void strings() {
        assertThat(ok(ParamType.STRING, "hello; $(touch /tmp/x) `id` 'q' \"dq\" ünï 🚀").value())
                .isEqualTo("hello; $(touch /tmp/x) `id` 'q' \"dq\" ünï 🚀");
        assertThat(ok(ParamType.STRING, "").value()).isEmpty();
        assertThat(ok(ParamType.STRING, "x".repeat(400)).value()).hasSize(400);
        assertThat(bad(ParamType.STRING, "x".repeat(401)))
                .isEqualTo("bad value for --p: at most 400 characters, not 401");
        String controls = "bad value for --p: must not contain control characters (newline, tab, NUL, colour codes): ";
        assertThat(bad(ParamType.STRING, "a\nb")).isEqualTo(controls + "\"a?b\"");
        assertThat(bad(ParamType.STRING, "a\0b")).isEqualTo(controls + "\"a?b\"");
        assertThat(bad(ParamType.STRING, "\u0003" + "4red\u000f")).isEqualTo(controls + "\"?4red?\"");
        assertThat(bad(ParamType.STRING, "a\rPRIVMSG")).isEqualTo(controls + "\"a?PRIVMSG\"");
        bad(ParamType.STRING, "tab\there");
        bad(ParamType.STRING, "bidi \u202e override");
        bad(ParamType.STRING, "zero\u200bwidth");
        bad(ParamType.STRING, "line\u2028sep");
        bad(ParamType.STRING, "lone \ud800 surrogate");
        bad(ParamType.STRING, "del\u007f");
        assertThat(bad(ParamType.STRING, "{{host}}")).isEqualTo("bad value for --p: must not contain {{ or }}");
        String longBad = "\n" + "y".repeat(100);
        assertThat(bad(ParamType.STRING, longBad)).endsWith("\"?" + "y".repeat(39) + "...\"");
    }

    @Test
    void missingValue() {
        assertThat(bad(ParamType.STRING, null)).isEqualTo("bad value for --p: missing value");
        assertThat(bad(ParamType.HOST, "")).isEqualTo("bad value for --p: empty value");
    }
}
