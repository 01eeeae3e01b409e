package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DryRunTest {
    static List<String> numbered(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + String.format("%02d", i));
        }
        return out;
    }

    @Test
    void foldsNumberedRunsOfHosts() {
        assertThat(DryRun.hosts(List.of("bm01"))).isEqualTo("bm01");
        assertThat(DryRun.hosts(List.of("bm01", "bm02"))).isEqualTo("bm01, bm02 (2 hosts)");
        assertThat(DryRun.hosts(numbered("bm", 1, 50))).isEqualTo("bm01..bm50 (50 hosts)");
        List<String> mixed = new ArrayList<>(numbered("bm", 1, 3));
        mixed.addAll(List.of("bm05", "buildbot-master", "bm09", "bm10", "bm11", "bm100"));
        assertThat(DryRun.hosts(mixed)).isEqualTo("bm01..bm03, bm05, buildbot-master, bm09..bm11, bm100 (9 hosts)");
    }

    @Test
    void cutsALongListAndCountsTheRest() {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            hosts.add("master-" + (char) ('a' + i));
        }
        hosts.addAll(numbered("bm", 1, 20));
        assertThat(DryRun.hosts(hosts)).isEqualTo("master-a, master-b, master-c, master-d, master-e, master-f,"
                + " master-g, master-h and 24 more (32 hosts)");
    }
}
