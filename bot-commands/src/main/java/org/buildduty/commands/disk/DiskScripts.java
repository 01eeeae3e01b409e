package org.buildduty.commands.disk;

import org.buildduty.core.param.ShellQuote;

/**
 * The POSIX shell scripts the {@code disk} step runs on a host. Every value is single-quoted. The script enters the
 * path ({@code cd -P}, which resolves every symbolic link in it), checks the physical working directory
 * ({@code pwd -P}) against the resolved root, and only then walks {@code .} with {@code find -P . -xdev}: the
 * directory checked is the one walked, even if a component of the path is swapped for a symbolic link after the
 * check, and no link is followed below it. A path that is not a directory at or below the root is refused. Lines the
 * bot parses start with a marker word; {@code DU} lines name entries relative to the {@code REAL} directory
 * ({@code ./name}).
 */
final class DiskScripts {
    private DiskScripts() {
    }

    /** Enters {@code path} and puts its physical path in {@code $r}, or prints {@code ERR ...} and exits 4. */
    static String resolve(String path, String root) {
        return "p=" + ShellQuote.quote(path) + "; root=" + ShellQuote.quote(root) + "\n"
                + "rr=$(cd -P -- \"$root\" 2>/dev/null && pwd -P) && [ -n \"$rr\" ]"
                + " || { echo \"ERR root $root does not exist\"; exit 4; }\n"
                + "[ -e \"$p\" ] || { echo \"ERR $p does not exist\"; exit 4; }\n"
                + "cd -P -- \"$p\" 2>/dev/null || { echo \"ERR $p is not a directory\"; exit 4; }\n"
                + "r=$(pwd -P) && [ -n \"$r\" ] || { echo \"ERR $p cannot be resolved\"; exit 4; }\n"
                + "case \"$r/\" in \"${rr%/}/\"*) ;; *) echo \"ERR $p resolves to $r, outside $root\"; exit 4;; esac\n"
                + "echo \"REAL $r\"\n";
    }

    /** Filesystem use ({@code DF} line) and the size of each entry below the path ({@code DU} lines). */
    static String report(String path, String root) {
        return resolve(path, root)
                + "df -Pk . | tail -n 1 | sed 's/^/DF /'\n"
                + "find -P . -mindepth 1 -maxdepth 1 -exec du -skx -- {} + 2>/dev/null | sed 's/^/DU /'\n"
                + "exit 0\n";
    }

    /** The number and total size of regular files older than {@code days} ({@code COUNT files bytes}). */
    static String count(String path, String root, int days) {
        return resolve(path, root)
                + "find -P . -xdev -mindepth 1 -type f -mtime +" + days + " -printf '%s\\n'"
                + " | awk '{n++; s+=$1} END {printf \"COUNT %d %.0f\\n\", n, s}'\n";
    }

    /** Deletes regular files older than {@code days} below the path, never the path itself ({@code FREED}). */
    static String clean(String path, String root, int days) {
        return resolve(path, root)
                + "find -P . -xdev -mindepth 1 -type f -mtime +" + days + " -delete -printf '%s\\n'"
                + " | awk '{n++; s+=$1} END {printf \"FREED %d %.0f\\n\", n, s}'\n";
    }
}
