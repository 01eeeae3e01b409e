package org.buildduty.commands.mbs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;


class WatchReportTest {
    private static ModuleBuild build(int state, String reason, String tag, Map<String, ComponentTask> comps) {
        return new ModuleBuild(570, "shared-userspace", "f26", "20171005113458", state,
                ModuleBuild.stateName(state), "psabata", reason, tag, null, null, comps);
    }

    private static Map<String, ComponentTask> comps(int building, int complete, int failed, int undefined) {
        Map<String, ComponentTask> m = new LinkedHashMap<>();
        int n = 0;
        for (int i = 0; i < building; i++, n++) {
            m.put("p" + n, new ComponentTask("p" + n, 100L + n, 0, null, null));
        }
        for (int i = 0; i < complete; i++, n++) {
            m.put("p" + n, new ComponentTask("p" + n, 100L + n, 1, null, null));
        }
        for (int i = 0; i < failed; i++, n++) {
            m.put("p" + n, new ComponentTask("p" + n, 100L + n, 3, null, null));
        }
        for (int i = 0; i < undefined; i++, n++) {
            m.put("p" + n, new ComponentTask("p" + n, null, null, null, null));
        }
        return m;
    }

    @Test
    void summaryIsTheOldWatchLine() {
        assertThat(WatchReport.summary(build(2, null, null, comps(2, 34, 1, 97)))).isEqualTo(
                "Summary: 2 components in the BUILDING state, 34 COMPLETE, 1 FAILED, 97 undefined; "
                        + "psabata's build #570 of shared-userspace-f26 is in the \"build\" state");
        assertThat(WatchReport.summary(build(4, "Canceled by alice.", "module-x", comps(0, 1, 0, 0)))).isEqualTo(
                "Summary: 1 component in the COMPLETE state; psabata's build #570 of shared-userspace-f26 is in the "
                        + "\"failed\" state (reason: Canceled by alice.) (koji tag: \"module-x\")");
        assertThat(WatchReport.summary(build(1, null, null, Map.of()))).startsWith("Summary: no components; ");
    }

    @Test
    void firstMessageCountsPerState() {
        assertThat(WatchReport.first(build(2, null, null, comps(2, 34, 1, 97)))).isEqualTo(
                "mbs #570 shared-userspace-f26 by psabata: build · 2 BUILDING, 34 COMPLETE, 1 FAILED, 97 undefined");
    }

    @Test
    void changesPostFailuresOneByOneAndBatchCompletionsWithACap() {
        Snapshot before = Snapshot.of(build(2, null, null, comps(12, 0, 0, 0)));
        Map<String, ComponentTask> now = comps(12, 0, 0, 0);
        for (int i = 0; i < 10; i++) {
            now.put("p" + i, new ComponentTask("p" + i, 100L + i, 1, null, null));
        }
        now.put("p10", new ComponentTask("p10", 110L, 3, "Koji build failed", null));
        assertThat(WatchReport.changes(before, build(2, null, null, now), t -> "https://koji/t?id=" + t))
                .containsExactly("p10 FAILED: https://koji/t?id=110 (Koji build failed)",
                        "10 more COMPLETE: p0, p1, p2, p3, p4, p5, p6, p7 +2 more (11/12 built)");
    }

    @Test
    void aLongLineIsCutToTheAnnouncerLimit() {
        String name = "x".repeat(300);
        ModuleBuild b = new ModuleBuild(1, name, name, "1", 2, "build", "o", null, null, null, null, Map.of());
        assertThat(WatchReport.first(b)).hasSize(WatchReport.MAX_LINE).endsWith("…");
    }
}
