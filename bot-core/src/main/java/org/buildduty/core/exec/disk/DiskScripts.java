package org.buildduty.core.exec.disk;

import org.buildduty.core.param.ShellQuote;

/**
 * The POSIX shell scripts the {@code disk} step runs on a host. Every value is single-quoted; the path is resolved
 * on the host ({@code realpath -e}, else {@code readlink -f}) and refused unless it is a directory at or below the
 * resolved root, so a symbolic link cannot lead outside. Lines the bot parses start with a marker word.
 */
final class DiskScripts {
    private DiskScripts() {
    }

    /** Resolves {@code path} into {@code $r}, or prints {@code ERR ...} and exits 4. */
    static String resolve(String path, String root) {
        return "p=" + ShellQuote.quote(path) + "; root=" + ShellQuote.quote(root) + "\n"
                + "real() { realpath -e -- \"$1\" 2>/dev/null || readlink -f -- \"$1\" 2>/dev/null; }\n"
                + "rr=$(real \"$root\") && [ -n \"$rr\" ] || { echo \"ERR root $root does not exist\"; exit 4; }\n"
                + "r=$(real \"$p\") && [ -n \"$r\" ] && [ -e \"$r\" ] || { echo \"ERR $p does not exist\"; exit 4; }\n"
                + "case \"$r/\" in \"${rr%/}/\"*) ;; *) echo \"ERR $p resolves to $r, outside $root\"; exit 4;; esac\n"
                + "[ -d \"$r\" ] || { echo \"ERR $p is not a directory\"; exit 4; }\n"
                + "echo \"REAL $r\"\n";
    }

    /** Filesystem use ({@code DF} line) and the size of each entry below the path ({@code DU} lines). */
    static String report(String path, String root) {
        return resolve(path, root)
                + "df -Pk -- \"$r\" | tail -n 1 | sed 's/^/DF /'\n"
                + "find -P \"$r\" -mindepth 1 -maxdepth 1 -exec du -skx -- {} + 2>/dev/null | sed 's/^/DU /'\n"
                + "exit 0\n";
    }

    /** The number and total size of regular files older than {@code days} ({@code COUNT files bytes}). */
    static String count(String path, String root, int days) {
        return resolve(path, root)
                + "find -P \"$r\" -xdev -mindepth 1 -type f -mtime +" + days + " -printf '%s\\n'"
                + " | awk '{n++; s+=$1} END {printf \"COUNT %d %.0f\\n\", n, s}'\n";
    }

    /** Deletes regular files older than {@code days} below the path, never the path itself ({@code FREED}). */
    static String clean(String path, String root, int days) {
        return resolve(path, root)
                + "find -P \"$r\" -xdev -mindepth 1 -type f -mtime +" + days + " -delete -printf '%s\\n'"
                + " | awk '{n++; s+=$1} END {printf \"FREED %d %.0f\\n\", n, s}'\n";
    }
}
