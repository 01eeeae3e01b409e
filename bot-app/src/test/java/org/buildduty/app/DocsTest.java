package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.buildduty.core.config.ConfigNode;

/**
 * The documentation holds together: every relative link of README.md, CONTRIBUTING.md and docs/*.md names a file that
 * exists and, with {@code #anchor}, a heading of that file (GitHub's slugs); and every configuration key of the
 * shipped examples is documented in docs/configuration.md.
 */
class DocsTest {
    /** bot-app runs its tests in its own folder; the documents are at the repository's root. */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(REPO.resolve("README.md"), REPO.resolve("CONTRIBUTING.md")));
        try (Stream<Path> s = Files.list(REPO.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            for (String target : links(Files.readString(doc))) {
                if (target.matches("[a-z][a-z0-9+.-]*:.*")) {
                    continue;   // https:, mailto: ...
                }
                checked++;
                problem(doc, target).ifPresent(p -> broken.add(REPO.relativize(doc) + ": (" + target + ") " + p));
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(20);
        assertThat(broken).as("broken links").isEmpty();
    }

    /**
     * The comments of the shipped configuration and runbooks point only at documents of the repository: a newcomer
     * has no SPEC, and every {@code docs/*.md} they name exists.
     */
    @Test
    void theShippedConfigurationsReferOnlyToDocumentsOfTheRepository() throws IOException {
        List<String> wrong = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(REPO.resolve("config"))) {
            files = s.filter(p -> p.toString().matches(".*\\.ya?ml")).sorted().toList();
        }
        assertThat(files).contains(REPO.resolve("config/example-full.yml"));
        Pattern doc = Pattern.compile("docs/[A-Za-z0-9_.-]+\\.md");
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.matches(".*\\bSPEC\\b.*")) {
                    wrong.add(REPO.relativize(f) + ":" + (i + 1) + ": refers to SPEC, which is not in the repository");
                }
                Matcher m = doc.matcher(line);
                while (m.find()) {
                    if (!Files.exists(REPO.resolve(m.group()))) {
                        wrong.add(REPO.relativize(f) + ":" + (i + 1) + ": " + m.group() + " does not exist");
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyKeyOfTheExampleConfigurationsIsDocumented() throws IOException {
        Set<String> documented = keyCells(Files.readString(REPO.resolve("docs/configuration.md")));
        for (String example : List.of("config/example-full.yml", "config/example-team.yml")) {
            Set<String> keys = new LinkedHashSet<>();
            keyPaths(ConfigNode.load(REPO.resolve(example)), "", keys);
            assertThat(keys).as(example).contains("bot.journal", "connectors[].id", "connectors[].sasl.account",
                    "inventory.ssh.known_hosts");
            List<String> missing = keys.stream().filter(k -> !isDocumented(k, documented)).toList();
            assertThat(missing).as("keys of " + example + " not documented in docs/configuration.md").isEmpty();
        }
    }

    /** The configuration-key check is not vacuous: a key the documentation lacks is reported. */
    @Test
    void anUndocumentedKeyIsReported() {
        Set<String> documented = keyCells("| `bot.prefix` | | |\n| `inventory.hosts.<name>.address` | | `bot.nick` |\n"
                + "`inventory.hosts.<name>.port` in prose");
        assertThat(isDocumented("bot.prefix", documented)).isTrue();
        assertThat(isDocumented("inventory.hosts.web01.address", documented)).isTrue();
        assertThat(isDocumented("bot.nick", documented)).isFalse();
        assertThat(isDocumented("inventory.hosts.web01.port", documented)).isFalse();
        assertThat(isDocumented("inventory.ssh.address", documented)).isFalse();
        assertThat(documented).containsExactly("bot.prefix", "inventory.hosts.<name>.address");
    }

    @Test
    void slugsAreGitHubs() {
        Map<String, Integer> seen = new HashMap<>();
        assertThat(slug("Disk: `!disk` and `!disk clean`", seen)).isEqualTo("disk-disk-and-disk-clean");
        assertThat(slug("3. known_hosts", seen)).isEqualTo("3-known_hosts");
        assertThat(slug("Type: irc", seen)).isEqualTo("type-irc");
        assertThat(slug("Type: irc", seen)).isEqualTo("type-irc-1");
        assertThat(slug("MBS: `!mbs info`, `!mbs overview`", seen)).isEqualTo("mbs-mbs-info-mbs-overview");
    }

    /** The link targets of a Markdown text, outside fenced code blocks and code spans. */
    static List<String> links(String markdown) {
        List<String> out = new ArrayList<>();
        for (String line : prose(markdown)) {
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The lines of a Markdown text that are not inside a fenced code block. */
    static List<String> prose(String markdown) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                out.add(line);
            }
        }
        return out;
    }

    /** Why a relative link from {@code doc} does not resolve, or empty when it does. */
    static Optional<String> problem(Path doc, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!resolved.startsWith(REPO)) {
            return Optional.of("points outside the repository");
        }
        if (!Files.exists(resolved)) {
            return Optional.of("no such file " + REPO.relativize(resolved));
        }
        if (anchor == null) {
            return Optional.empty();
        }
        if (!resolved.toString().endsWith(".md")) {
            return Optional.of("an anchor into a file that is not Markdown");
        }
        Set<String> anchors = anchors(Files.readString(resolved));
        return anchors.contains(anchor) ? Optional.empty()
                : Optional.of("no heading #" + anchor + " in " + REPO.relativize(resolved));
    }

    /** The anchors GitHub gives the headings of a Markdown text. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(markdown)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                out.add(slug(m.group(1), seen));
            }
        }
        return out;
    }

    /**
     * GitHub's heading anchor: lower case, punctuation other than {@code -} and {@code _} removed, each space a
     * {@code -}; a repeated slug gets {@code -1}, {@code -2} ...
     */
    static String slug(String heading, Map<String, Integer> seen) {
        String base = heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        int n = seen.merge(base, 1, Integer::sum) - 1;
        return n == 0 ? base : base + "-" + n;
    }

    /**
     * The keys a Markdown text documents: the code spans in the first cell of its table rows ({@code <...>}
     * placeholders kept). A key only mentioned elsewhere (as another key's default, say) does not count.
     */
    static Set<String> keyCells(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : prose(markdown)) {
            String[] cells = line.strip().split("\\|");
            if (!line.strip().startsWith("|") || cells.length < 2) {
                continue;
            }
            Matcher m = CODE_SPAN.matcher(cells[1]);
            while (m.find()) {
                out.add(m.group(1).strip());
            }
        }
        return out;
    }

    /**
     * Walks a YAML tree into dotted key paths: {@code bot.prefix}; a list's mapping items as {@code connectors[].id};
     * a list of scalars or a scalar ends the path.
     */
    static void keyPaths(ConfigNode node, String path, Set<String> out) {
        if (node.isMap()) {
            for (Map.Entry<String, ConfigNode> e : node.asMap().entrySet()) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                out.add(p);
                keyPaths(e.getValue(), p, out);
            }
        } else if (node.isList()) {
            for (ConfigNode item : node.asList()) {
                if (item.isMap()) {
                    out.remove(path);
                    keyPaths(item, path + "[]", out);
                }
            }
        }
    }

    /**
     * True when a code span of the documentation names the key: the same dotted segments, where a documented
     * {@code <name>} segment stands for any one segment. A key with keys below it counts as documented when one
     * of them is (the section {@code bot} through {@code bot.prefix}).
     */
    static boolean isDocumented(String key, Set<String> spans) {
        String[] k = key.split("\\.");
        for (String span : spans) {
            String[] d = span.split("\\.");
            if (d.length < k.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < k.length && match; i++) {
                match = d[i].equals(k[i]) || (d[i].startsWith("<") && d[i].endsWith(">"));
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}
