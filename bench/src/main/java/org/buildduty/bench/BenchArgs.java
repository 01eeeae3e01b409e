package org.buildduty.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What every bench's {@code main} needs: {@code --name value} options and a temp directory removed at the end. */
final class BenchArgs {
    private BenchArgs() {
    }

    /**
     * {@code --name value} and {@code --name=value} pairs; a name in {@code flags} takes no value (it maps to
     * {@code "true"}). Anything else is refused with {@code usage}.
     */
    static Map<String, String> parse(String[] args, Set<String> flags, String usage) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && flags.contains(a.substring(2))) {
                opts.put(a.substring(2), "true");
            } else if (a.startsWith("--") && a.contains("=")) {
                opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opts.put(a.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + a + "; use " + usage);
            }
        }
        return opts;
    }

    /** {@code "50,10,1"} → [50, 10, 1]. */
    static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String p : csv.split(",")) {
            out.add(Integer.parseInt(p.strip()));
        }
        return out;
    }

    /**
     * Prints a machine-readable result line, {@code RESULT figure|target|measured}, which {@code bench/run all}
     * collects into bench/RESULTS.md ({@code |} in a field becomes {@code /}).
     */
    static void result(String figure, String target, String measured) {
        System.out.println("RESULT " + String.join("|", figure.replace('|', '/'), target.replace('|', '/'),
                measured.replace('|', '/')));
    }

    /** Removes a temp directory, saying so if it cannot. */
    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
