package org.buildduty.commands.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class DiskReportTest {
    @Test
    void humanSizesUseBinaryUnitsWithOneDecimalBelowTen() {
        assertThat(DiskReport.human(0)).isEqualTo("0 B");
        assertThat(DiskReport.human(1023)).isEqualTo("1023 B");
        assertThat(DiskReport.human(1536)).isEqualTo("1.5 KiB");
        assertThat(DiskReport.human(310L * 1024 * 1024)).isEqualTo("310 MiB");
        assertThat(DiskReport.human(4L * 1024 * 1024 * 1024 + 200L * 1024 * 1024)).isEqualTo("4.2 GiB");
    }

    @Test
    void reportSortsLargestFirstKeepsTheTopAndCountsTheRest() {
        List<String> lines = DiskReport.lines("bm01:/srv",
                List.of("/dev/sda1 104857600 86000000 18857600 82% /"),
                List.of("10\t/srv/b", "3000\t/srv/a", "junk line", "3000\t/srv/0", "20\t/srv/c d"), 3);

        assertThat(lines).containsExactly(
                "bm01:/srv: 82% used, 18 GiB free of 100 GiB on /dev/sda1 (mounted on /)",
                "bm01:/srv:   2.9 MiB  /srv/0",
                "bm01:/srv:   2.9 MiB  /srv/a",
                "bm01:/srv:    20 KiB  /srv/c d",
                "bm01:/srv: ... 1 smaller entries");
    }

    @Test
    void tallyReadsTheCountOrTheFreedLine() {
        assertThat(DiskReport.tally(List.of("1 2048"), "", "7")).isEqualTo("1 file older than 7d, 2.0 KiB");
        assertThat(DiskReport.tally(List.of("42 325058560"), "freed ", "7"))
                .isEqualTo("freed 310 MiB (42 files older than 7d)");
        assertThat(DiskReport.tally(List.of(), "freed ", "7")).isEqualTo("no result");
    }

    @Test
    void scriptsQuoteEveryValueAndNeverDeleteTheRootItself() {
        String s = DiskScripts.clean("/srv/it's $(id)", "/srv", 7);

        assertThat(s).startsWith("p='/srv/it'\\''s $(id)'; root='/srv'\n")
                .contains("find -P . -xdev -mindepth 1 -type f -mtime +7 -delete");
    }
}
