package org.buildduty.app.hostile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A corpus of hostile chat inputs, by category: every shell payload tries to {@code touch} one canary file (an
 * absolute path), so a test only has to check that the file never appears.
 *
 * <pre>{@code
 * List<HostileInputs.Payload> all = HostileInputs.all(dir.resolve("CANARY"));
 * }</pre>
 */
public final class HostileInputs {
    /** The environment variable the test secret is read from (named in template and expansion payloads). */
    public static final String SECRET_ENV = "HOSTILE_TOKEN";

    /** Categories, in the order {@link #all} lists them. */
    public static final List<String> CATEGORIES = List.of("shell", "quotes", "newlines", "controls", "irc", "long",
            "utf8", "lookalike", "options", "paths", "format", "template", "numbers", "sql", "yaml", "markup",
            "backquotes", "dashes", "dots", "json");

    /** One hostile input: its category, a unique name, and the text as it arrives (decoded) at the bot. */
    public record Payload(String category, String name, String text) {
        @Override
        public String toString() {
            return category + "/" + name;
        }
    }

    private final String canary;
    private final Map<String, Payload> byName = new LinkedHashMap<>();

    private HostileInputs(Path canary) {
        if (!canary.isAbsolute()) {
            throw new IllegalArgumentException("the canary must be an absolute path: " + canary);
        }
        this.canary = canary.toString();
    }

    /** Every payload; shell payloads name {@code canary}. */
    public static List<Payload> all(Path canary) {
        HostileInputs c = new HostileInputs(canary);
        c.shell();
        c.quotes();
        c.newlines();
        c.controls();
        c.irc();
        c.longLines();
        c.utf8();
        c.lookalikes();
        c.options();
        c.paths();
        c.format();
        c.template();
        c.numbers();
        c.sql();
        c.yaml();
        c.markup();
        c.backquotes();
        c.dashes();
        c.dots();
        c.json();
        return List.copyOf(c.byName.values());
    }

    /** The payloads of one category. */
    public static List<Payload> of(String category, Path canary) {
        return all(canary).stream().filter(p -> p.category().equals(category)).toList();
    }

    /**
     * The text typed so that the bot's tokenizer hands it over as one word, unchanged: POSIX single quotes, each
     * {@code '} written {@code '\''}.
     */
    public static String quoted(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private void add(String category, String name, String text) {
        Payload p = new Payload(category, name, text);
        if (byName.putIfAbsent(p.toString(), p) != null) {
            throw new IllegalStateException("duplicate payload name " + p);
        }
    }

    private void shell() {
        String t = "touch " + canary;
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("subst", "$(" + t + ")");
        forms.put("backticks", "`" + t + "`");
        forms.put("semicolon", "x;" + t);
        forms.put("semicolon-spaced", "x ; " + t + " ;");
        forms.put("and", "x && " + t);
        forms.put("or", "false || " + t);
        forms.put("pipe", "x | " + t);
        forms.put("background", "x & " + t + " &");
        forms.put("redirect", "x > " + canary);
        forms.put("append", "x >> " + canary);
        forms.put("newline", "x\n" + t);
        forms.put("cr-newline", "x\r\n" + t);
        forms.put("ifs", "x;touch${IFS}" + canary);
        forms.put("ifs-subst", "$(touch${IFS}" + canary + ")");
        forms.put("arith-subst", "$((1))$(" + t + ")");
        forms.put("process-subst", "<(" + t + ")");
        forms.put("nested-subst", "$(echo $(" + t + "))");
        forms.put("escaped-dollar", "\\$(" + t + ")");
        forms.put("brace-group", "{ " + t + "; }");
        forms.put("subshell", "(" + t + ")");
        forms.put("ansi-c", "$'\\x3b'" + t);
        forms.put("eval", "eval '" + t + "'");
        forms.put("sh-c", "sh -c '" + t + "'");
        forms.put("tab", "x\t;\t" + t);
        forms.put("hash-comment-escape", "x #\n" + t);
        for (Map.Entry<String, String> f : forms.entrySet()) {
            add("shell", f.getKey(), f.getValue());
            add("shell", f.getKey() + "-in-single", "'" + f.getValue() + "'");
            add("shell", f.getKey() + "-in-double", "\"" + f.getValue() + "\"");
        }
        add("shell", "close-single-then-subst", "x' ; " + t + " ; '");
        add("shell", "close-double-then-subst", "x\" ; " + t + " ; \"");
        add("shell", "dash-subst", "-$(" + t + ")");
    }

    private void quotes() {
        String t = "touch " + canary;
        add("quotes", "single", "'");
        add("quotes", "double", "\"");
        add("quotes", "backtick", "`");
        add("quotes", "unbalanced-single", "'abc");
        add("quotes", "unbalanced-double", "\"abc");
        add("quotes", "apostrophe", "it's");
        add("quotes", "nested-single-in-double", "\"a 'b' c\"");
        add("quotes", "nested-double-in-single", "'a \"b\" c'");
        add("quotes", "backslash", "\\");
        add("quotes", "trailing-backslash", "abc\\");
        add("quotes", "double-backslash", "\\\\");
        add("quotes", "empty-double", "\"\"");
        add("quotes", "empty-single", "''");
        add("quotes", "escaped-quote-subst", "\"\\\"$(" + t + ")\\\"\"");
        add("quotes", "curly-double", "\u201c$(" + t + ")\u201d");
        add("quotes", "curly-single", "\u2018" + t + "\u2019");
        add("quotes", "posix-escape-dance", "'\"'\"'; " + t + "; '\"'\"'");
        add("quotes", "backslash-quote", "\\'; " + t + "; \\'");
        add("quotes", "double-escaped-dollar", "\"\\$(" + t + ")\"");
        add("quotes", "many-quotes", "'''''''\"\"\"\"\"");
    }

    private void newlines() {
        add("newlines", "lf", "a\nb");
        add("newlines", "crlf", "a\r\nb");
        add("newlines", "cr", "a\rb");
        add("newlines", "cr-only", "\r");
        add("newlines", "lf-command", "x\n!whoami");
        add("newlines", "cr-touch", "x\rtouch " + canary);
        add("newlines", "nel", "a\u0085b");
        add("newlines", "line-separator", "a\u2028b");
        add("newlines", "paragraph-separator", "a\u2029b");
        add("newlines", "blank-lines", "x\n\n\ny");
        add("newlines", "trailing-lf", "x\n");
        add("newlines", "vertical-tab-form-feed", "a\u000bb\u000cc");
    }

    private void controls() {
        add("controls", "nul", "a\u0000b");
        add("controls", "nul-only", "\u0000");
        add("controls", "nul-touch", "x\u0000; touch " + canary);
        for (int c = 1; c < 0x20; c++) {
            add("controls", String.format("c0-%02x", c), "a" + (char) c + "b");
        }
        add("controls", "del", "a\u007fb");
        add("controls", "c1-80", "a\u0080b");
        add("controls", "c1-csi", "a\u009b31mb");
        add("controls", "ansi-colour", "\u001b[31mred\u001b[0m");
        add("controls", "osc-title", "\u001b]0;owned\u0007");
        add("controls", "terminal-clear", "\u001b[2J\u001b[H");
        add("controls", "backspaces", "safe\b\b\b\bevil");
    }

    private void irc() {
        add("irc", "bold", "\u0002bold\u0002");
        add("irc", "colour", "\u00034,1red on black\u0003");
        add("irc", "reset", "a\u000fb");
        add("irc", "reverse", "\u0016reverse\u0016");
        add("irc", "italic", "\u001ditalic\u001d");
        add("irc", "underline", "\u001funderline\u001f");
        add("irc", "monospace", "\u0011mono\u0011");
        add("irc", "strike", "\u001estrike\u001e");
        add("irc", "ctcp-action", "\u0001ACTION waves\u0001");
        add("irc", "ctcp-version", "\u0001VERSION\u0001");
        add("irc", "ctcp-dcc", "\u0001DCC SEND x 2130706433 22 1\u0001");
        add("irc", "raw-privmsg", "x\r\nPRIVMSG #releng :owned");
        add("irc", "raw-quit", "x\r\nQUIT :bye");
        add("irc", "colour-only", "\u0003");
    }

    private void longLines() {
        add("long", "a-10k", "A".repeat(10 * 1024));
        add("long", "a-100k", "A".repeat(100 * 1024));
        add("long", "subst-10k", ("$(touch " + canary + ")").repeat(10 * 1024 / (canary.length() + 9) + 1));
        add("long", "exactly-4096", "B".repeat(4096));
        add("long", "just-over-4096", "C".repeat(4097));
        add("long", "string-limit-400", "D".repeat(400));
        add("long", "string-limit-401", "E".repeat(401));
        add("long", "emoji-10k", "\ud83d\udca5".repeat(5 * 1024));
        add("long", "spaces-10k", "x ".repeat(5 * 1024));
        add("long", "cjk-10k", "\u6f22".repeat(10 * 1024));
    }

    private void utf8() {
        add("utf8", "replacement", "\ufffd");
        add("utf8", "replacements-touch", "\ufffd\ufffd; touch " + canary);
        add("utf8", "lone-high-surrogate", "a\ud800b");
        add("utf8", "lone-low-surrogate", "a\udc00b");
        add("utf8", "reversed-pair", "\udc00\ud800");
        add("utf8", "noncharacter", "a\uffffb");
        add("utf8", "bom", "\ufeffwhoami");
        add("utf8", "overlong-slash-decoded", "\ufffd\ufffdetc\ufffd\ufffdpasswd");
        add("utf8", "emoji-pair", "\ud83d\ude80 launch");
        add("utf8", "private-use", "\ue000\uf8ff");
    }

    private void lookalikes() {
        String t = "touch " + canary;
        add("lookalike", "fullwidth-bang", "\uff01whoami");
        add("lookalike", "fullwidth-word", "\uff57\uff48\uff4f\uff41\uff4d\uff49");
        add("lookalike", "cyrillic-o", "wh\u043eami");
        add("lookalike", "cyrillic-a", "\u0430pprove 1");
        add("lookalike", "rtl-override", "\u202etxt.exe");
        add("lookalike", "rtl-isolate", "\u2067evil\u2069");
        add("lookalike", "zero-width-space", "who\u200bami");
        add("lookalike", "zero-width-joiner", "a\u200db");
        add("lookalike", "nbsp", "run\u00a0hostile");
        add("lookalike", "minus-sign-option", "\u2212\u2212msg=x");
        add("lookalike", "en-dash-option", "\u2013msg x");
        add("lookalike", "em-dash-option", "\u2014msg x");
        add("lookalike", "fullwidth-semicolon", "x\uff1b" + t);
        add("lookalike", "fullwidth-dollar", "\uff04\uff08" + t + "\uff09");
        add("lookalike", "arabic-indic-digit", "\u0661");
        add("lookalike", "superscript-two", "\u00b2");
        add("lookalike", "ideographic-space", "x\u3000y");
        add("lookalike", "combining-accent", "a\u0301");
        add("lookalike", "fullwidth-slash-path", "\uff0e\uff0e\uff0fetc\uff0fpasswd");
    }

    private void options() {
        String t = "touch " + canary;
        add("options", "masters-proxycommand", "--masters=-oProxyCommand=" + t);
        add("options", "proxycommand", "-oProxyCommand=" + t);
        add("options", "proxycommand-sh", "-oProxyCommand=sh -c '" + t + "'");
        add("options", "equals-only", "--=x");
        add("options", "triple-dash", "---x");
        add("options", "help-value", "--help=$(" + t + ")");
        add("options", "help", "--help");
        add("options", "short-h", "-h");
        add("options", "double-dash", "--");
        add("options", "single-dash", "-");
        add("options", "empty-value", "--x=");
        add("options", "nested-option", "--msg=--msg=x");
        add("options", "dry-run-value", "--dry-run=yes");
        add("options", "rm-rf", "-rf /");
        add("options", "upload-pack", "--upload-pack=" + t);
        add("options", "git-c", "-c core.sshCommand=" + t);
        add("options", "output-file", "--output=" + canary);
        add("options", "short-o", "-o " + canary);
        add("options", "config-file", "--config=/etc/passwd");
        add("options", "java-property", "-Dfoo=$(" + t + ")");
        add("options", "repeated", "--reason a --reason b --reason c");
        add("options", "equals-equals", "--=");
    }

    private void paths() {
        add("paths", "traversal", "../../etc/passwd");
        add("paths", "root-traversal", "/builds/../etc/passwd");
        add("paths", "deep-traversal", "/tmp/hostile/../../etc/shadow");
        add("paths", "dotdot", "..");
        add("paths", "root", "/");
        add("paths", "home-ssh", "~/.ssh/id_ed25519");
        add("paths", "percent-encoded", "/builds/%2e%2e/etc");
        add("paths", "file-url", "file:///etc/passwd");
        add("paths", "windows", "C:\\Windows\\System32");
        add("paths", "double-slash", "/tmp/hostile//x");
        add("paths", "dot", "/tmp/hostile/./x");
        add("paths", "dev-zero", "/dev/zero");
        add("paths", "proc-environ", "/proc/self/environ");
        add("paths", "dash-path", "-/tmp/hostile");
        add("paths", "glob", "/tmp/hostile/*");
    }

    private void format() {
        add("format", "s-n", "%s%n");
        add("format", "many-s", "%s%s%s%s%s%s%s%s");
        add("format", "n", "%n");
        add("format", "x", "%x%x%x%x");
        add("format", "message-format", "{0}{1}");
        add("format", "jndi", "${jndi:ldap://127.0.0.1:1/a}");
        add("format", "d", "%d");
        add("format", "percent", "%");
        add("format", "double-percent", "%%");
        add("format", "slf4j", "{}{}{}");
    }

    private void template() {
        add("template", "host", "{{host}}");
        add("template", "secret", "{{secret}}");
        add("template", "msg", "{{msg}}");
        add("template", "spaced", "{{ msg }}");
        add("template", "operation", "{{operation}}");
        add("template", "open", "{{");
        add("template", "close", "}}");
        add("template", "quad-open", "{{{{");
        add("template", "env-braced", "${" + SECRET_ENV + "}");
        add("template", "env", "$" + SECRET_ENV);
        add("template", "env-dump", "$(env)");
        add("template", "ruby", "#{7*7}");
        add("template", "erb", "<%= 7*7 %>");
        add("template", "jinja-block", "{% raw %}");
    }

    private void numbers() {
        add("numbers", "zero", "0");
        add("numbers", "minus-one", "-1");
        add("numbers", "minus-zero", "-0");
        add("numbers", "exponent", "1e9");
        add("numbers", "twenty-digits", "99999999999999999999");
        add("numbers", "long-max", "9223372036854775807");
        add("numbers", "long-max-plus-one", "9223372036854775808");
        add("numbers", "long-min", "-9223372036854775808");
        add("numbers", "nan", "NaN");
        add("numbers", "infinity", "Infinity");
        add("numbers", "hex", "0x10");
        add("numbers", "octal", "010");
        add("numbers", "decimal", "1.5");
        add("numbers", "plus", "+1");
        add("numbers", "underscore", "1_000");
        add("numbers", "leading-space", " 1");
        add("numbers", "int-max-plus-one", "2147483648");
        add("numbers", "huge-duration", "99999999999999999999h");
    }

    private void sql() {
        add("sql", "drop-table", "'; DROP TABLE operations; --");
        add("sql", "delete", "1; DELETE FROM operations");
        add("sql", "or-true", "' OR '1'='1");
        add("sql", "double-drop", "\"; DROP TABLE x; --");
        add("sql", "union", "1 UNION SELECT * FROM sqlite_master");
        add("sql", "pragma", "x'); PRAGMA writable_schema=1;--");
        add("sql", "attach", "'; ATTACH DATABASE '/tmp/hostile/x.db' AS x; --");
    }

    private void yaml() {
        add("yaml", "alias", "*alias");
        add("yaml", "anchor", "&anchor x");
        add("yaml", "python-object", "!!python/object/apply:os.system [\"touch " + canary + "\"]");
        add("yaml", "merge", "<<: *x");
        add("yaml", "flow-map", "{a: b}");
        add("yaml", "flow-seq", "[1, 2]");
        add("yaml", "seq-item", "- x");
        add("yaml", "mapping", "key: value");
        add("yaml", "literal", "|");
        add("yaml", "folded", ">");
        add("yaml", "complex-key", "? x");
        add("yaml", "directive", "%YAML 1.2");
        add("yaml", "document-start", "---");
        add("yaml", "document-end", "...");
        add("yaml", "binary", "!!binary AAAA");
        add("yaml", "tilde", "~");
        add("yaml", "null", "null");
        add("yaml", "billion-laughs", "&a [*a, *a, *a]");
    }

    private void markup() {
        add("markup", "script", "<script>alert(1)</script>");
        add("markup", "img-onerror", "\"><img src=x onerror=alert(1)>");
        add("markup", "javascript-url", "javascript:alert(1)");
        add("markup", "entity", "&lt;&amp;&#0;");
        add("markup", "close-pre", "</pre><b>x</b>");
        add("markup", "markdown-link", "[click](javascript:alert(1))");
        add("markup", "mention", "@room @everyone");
    }

    /**
     * Values that end a backquoted command substitution early when shell-quoted into {@code `... {{p}} ...`}
     * (bash finds the closing backquote quotes or not), each then running {@code touch canary}: templates may not
     * put a placeholder inside backquotes, so these must print literally.
     */
    private void backquotes() {
        String t = "touch " + canary;
        add("backquotes", "close-and-run", "a`;" + t + ";`");
        add("backquotes", "close-and-comment", "b`;" + t + ";#");
        add("backquotes", "escaped-backslash", "c\\`;" + t + ";`");
        add("backquotes", "in-single-quotes", "d'`;" + t + ";`'");
        add("backquotes", "in-double-quotes", "e\"`;" + t + ";`\"");
        add("backquotes", "plain", "`" + t + "`");
        add("backquotes", "escaped", "\\`" + t + "\\`");
        add("backquotes", "nested-in-subst", "$(echo `" + t + "`)");
    }

    /** Values starting with {@code -}: a command could read them as options; refused unless allowed. */
    private void dashes() {
        String t = "touch " + canary;
        add("dashes", "proxycommand", "-oProxyCommand=" + t);
        add("dashes", "short-e", "-e");
        add("dashes", "short-n", "-n");
        add("dashes", "long-help", "--help");
        add("dashes", "subst", "-x$(" + t + ")");
        add("dashes", "output", "--output=" + canary);
        add("dashes", "negative", "-5");
        add("dashes", "end-of-options", "--");
    }

    /** Dot segments, plain and percent-encoded: in a URL they would walk up the path. */
    private void dots() {
        add("dots", "dot", ".");
        add("dots", "dotdot", "..");
        add("dots", "encoded-dot", "%2e");
        add("dots", "encoded-dotdot-mixed-case", "%2E%2e");
        add("dots", "dot-encoded-dot", ".%2e");
        add("dots", "encoded-dot-dot", "%2e.");
        add("dots", "double-encoded", "%252e%252e");
        add("dots", "three-dots", "...");
    }

    /** JSON structure: unquoted in a string body it would add keys or change a value's type. */
    private void json() {
        add("json", "add-key", "1, \"admin\": true");
        add("json", "close-string", "\"}, \"admin\": true, {\"");
        add("json", "object", "{}");
        add("json", "array", "[1, 2]");
        add("json", "null", "null");
        add("json", "close-object", "0}, {\"x\": 1");
        add("json", "unicode-escape", "\\u0022, \\\"admin\\\": true");
    }

    /** True when the payload tries to create the canary. */
    public static boolean targetsCanary(Payload p, Path canary) {
        return p.text().contains(canary.toString());
    }

    /** A few payloads of each category, for a slower path (the real jar). */
    public static List<Payload> sample(Path canary, int perCategory) {
        List<Payload> out = new ArrayList<>();
        Map<String, Integer> taken = new LinkedHashMap<>();
        for (Payload p : all(canary)) {
            int n = taken.merge(p.category(), 1, Integer::sum);
            if (n <= perCategory) {
                out.add(p);
            }
        }
        return out;
    }
}
