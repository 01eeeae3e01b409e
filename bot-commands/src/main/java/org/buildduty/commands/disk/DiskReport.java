package org.buildduty.commands.disk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Turns the marked output of the disk scripts into chat lines with human sizes. */
final class DiskReport {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private DiskReport() {
    }

    /** An entry below the path and its size in KiB. */
    private record Entry(long kib, String path) {
    }

    /**
     * The filesystem line, then the {@code top} largest entries, largest first.
     *
     * @param df the {@code df -Pk} data line
     * @param du {@code du -sk} lines: size in KiB, a tab, the path
     */
    static List<String> lines(String where, List<String> df, List<String> du, int top) {
        List<String> out = new ArrayList<>();
        out.add(where + ": " + (df.isEmpty() ? "filesystem use unknown" : filesystem(df.get(0))));
        List<Entry> entries = new ArrayList<>();
        for (String l : du) {
            int tab = l.indexOf('\t');
            if (tab > 0 && l.substring(0, tab).matches("[0-9]{1,18}")) {
                entries.add(new Entry(Long.parseLong(l.substring(0, tab)), l.substring(tab + 1)));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::kib).reversed().thenComparing(Entry::path));
        if (entries.isEmpty()) {
            out.add(where + ": empty");
        }
        for (Entry e : entries.subList(0, Math.min(top, entries.size()))) {
            out.add(String.format(Locale.ROOT, "%s: %9s  %s", where, human(e.kib() * 1024), e.path()));
        }
        if (entries.size() > top) {
            out.add(where + ": ... " + (entries.size() - top) + " smaller entries");
        }
        return out;
    }

    /** {@code Filesystem 1024-blocks Used Available Capacity Mounted-on} as one sentence. */
    static String filesystem(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 6 || !f[1].matches("[0-9]+") || !f[3].matches("[0-9]+")) {
            return "filesystem use unknown (" + line.trim() + ")";
        }
        long total = Long.parseLong(f[1]) * 1024;
        long avail = Long.parseLong(f[3]) * 1024;
        return f[4] + " used, " + human(avail) + " free of " + human(total) + " on " + f[0] + " (mounted on " + f[5]
                + ")";
    }

    /** {@code COUNT n bytes} or {@code FREED n bytes} as {@code 310 MiB (42 files older than 7d)}. */
    static String tally(List<String> marked, String verb, String days) {
        if (marked.isEmpty()) {
            return "no result";
        }
        String[] f = marked.get(0).trim().split(" ");
        long files = f.length > 0 && f[0].matches("[0-9]{1,18}") ? Long.parseLong(f[0]) : 0;
        long bytes = f.length > 1 && f[1].matches("[0-9]{1,18}") ? Long.parseLong(f[1]) : 0;
        String n = files + (files == 1 ? " file" : " files") + " older than " + days + "d";
        return verb.isEmpty() ? n + ", " + human(bytes) : verb + human(bytes) + " (" + n + ")";
    }

    /** Bytes in binary units: {@code 512 B}, {@code 1.5 KiB}, {@code 310 MiB}, {@code 4.1 GiB}. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return v < 10 ? String.format(Locale.ROOT, "%.1f %s", v, UNITS[u])
                : String.format(Locale.ROOT, "%.0f %s", v, UNITS[u]);
    }
}
