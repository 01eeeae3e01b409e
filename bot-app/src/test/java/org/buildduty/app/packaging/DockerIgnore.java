package org.buildduty.app.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} file read as Docker reads it: one pattern a line, {@code #} comments, {@code !} re-includes,
 * {@code *} and {@code ?} within one path element, {@code **} across elements, the last matching pattern wins, and a
 * pattern that matches a folder matches everything under it.
 */
final class DockerIgnore {
    private record Rule(Pattern pattern, boolean exclude) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    /** The rules of {@code context/.dockerignore}, or none when the file is absent. */
    static DockerIgnore of(Path context) throws IOException {
        Path file = context.resolve(".dockerignore");
        List<Rule> rules = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file)) {
                String p = line.strip();
                if (p.isEmpty() || p.startsWith("#")) {
                    continue;
                }
                boolean exclude = !p.startsWith("!");
                if (!exclude) {
                    p = p.substring(1).strip();
                }
                p = p.replaceAll("^/+", "").replaceAll("/+$", "");
                if (!p.isEmpty() && !".".equals(p)) {
                    rules.add(new Rule(Pattern.compile(regex(p)), exclude));
                }
            }
        }
        return new DockerIgnore(rules);
    }

    /** Whether the context path ({@code a/b/c}, relative, with slashes) is left out of the build context. */
    boolean excludes(String path) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesItselfOrParent(rule.pattern(), path)) {
                excluded = rule.exclude();
            }
        }
        return excluded;
    }

    /** Whether a folder can be skipped whole: it is excluded and no {@code !} rule could bring back part of it. */
    boolean prunes(String folder) {
        return excludes(folder) && rules.stream().allMatch(Rule::exclude);
    }

    private static boolean matchesItselfOrParent(Pattern pattern, String path) {
        String p = path;
        while (true) {
            if (pattern.matcher(p).matches()) {
                return true;
            }
            int slash = p.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            p = p.substring(0, slash);
        }
    }

    private static String regex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                    i++;
                    re.append("(?:.*/)?");     // **/ : any number of folders, none included
                } else {
                    re.append(".*");
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
