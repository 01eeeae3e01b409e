package org.buildduty.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A child process's resident memory and CPU time, read from {@code /proc/<pid>} (Linux). */
final class ProcStats {
    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** VmRSS of a process, in KiB (0 if the line is missing). */
    static long rssKb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /**
     * The JVM options of a java process, from {@code /proc/<pid>/cmdline}: the words between the program and
     * {@code -jar} (or the main class). Empty if the process is gone or is not java.
     */
    static List<String> jvmOptions(long pid) {
        try {
            String[] argv = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\u0000");
            int end = 1;
            while (end < argv.length && argv[end].startsWith("-") && !argv[end].equals("-jar")
                    && !argv[end].equals("-cp")) {
                end++;
            }
            return argv.length > 0 && argv[0].endsWith("java") ? Arrays.asList(argv).subList(1, end) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
