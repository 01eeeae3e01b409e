package org.buildduty.core.param;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.time.Durations;

/**
 * Checks a raw parameter value against its declared type and returns its canonical form, or throws one chat-safe
 * line naming the parameter: {@code bad value for --parallel: must be at most 50}.
 *
 * <p>Messages never echo control characters (they show as {@code ?}) and cut long values. The rules per type:
 * <ul>
 *   <li>{@code int}: optional {@code -}, 1 to 18 digits, no {@code +}; within {@code min}/{@code max}.
 *   <li>{@code revision}: {@code [A-Za-z0-9._/-]}, at most 200 characters, not starting with {@code -}, no
 *       {@code ..} (so a hex commit of 7-40 digits or a tag/branch name).
 *   <li>{@code host}: a host of the inventory, exactly as written there.
 *   <li>{@code group}: a group of the inventory, or a comma list of distinct inventory hosts.
 *   <li>{@code path}: absolute, no {@code .} or {@code ..} segments, no control characters; repeated and trailing
 *       slashes are dropped; it must lie under one of the spec's {@code roots}, or if it has none, under a disk root
 *       of some inventory host. Normalization is textual: symbolic links on the target host are not resolved.
 *   <li>{@code enum}: exactly one of the choices.
 *   <li>{@code duration}: see {@link Durations}; the canonical form is compact, e.g. {@code 1h30m}.
 *   <li>{@code bool}: {@code true}, {@code false}, {@code yes}, {@code no}, {@code on} or {@code off} in any
 *       case; the canonical form is {@code true} or {@code false}.
 *   <li>{@code string}: at most 400 characters, no control or invisible format characters, no double braces
 *       (which would read as a template marker).
 * </ul>
 */
public final class ParamValidator {
    /** The longest {@code string} value. */
    public static final int MAX_STRING = 400;

    private static final Pattern INT = Pattern.compile("-?[0-9]{1,18}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._/][A-Za-z0-9._/-]{0,199}");
    private static final String REVISION_RULE =
            "must be a hex commit (7-40) or a tag/branch name ([A-Za-z0-9._/-], not starting with -)";
    private static final int MAX_PATH = 1024;

    private ParamValidator() {
    }

    /**
     * The validated value of {@code raw} for {@code spec}.
     *
     * @throws InvalidValueException when it is missing or not valid, with one line naming {@code --name}
     */
    public static ParamValue validate(ParamSpec spec, String raw, Inventory inv) {
        if (raw == null) {
            throw bad(spec, "missing value");
        }
        if (spec.type() != ParamType.STRING && raw.isEmpty()) {
            throw bad(spec, "empty value");
        }
        switch (spec.type()) {
            case INT:
                return simple(spec, integer(spec, raw));
            case REVISION:
                if (!REVISION.matcher(raw).matches() || raw.contains("..")) {
                    throw bad(spec, REVISION_RULE);
                }
                return simple(spec, raw);
            case HOST:
                if (!inv.hosts().contains(raw)) {
                    throw bad(spec, "unknown host " + Texts.shown(raw) + " (hosts: " + listed(inv.hosts()) + ")");
                }
                return new ParamValue(spec.name(), spec.type(), raw, List.of(raw));
            case GROUP:
                return group(spec, raw, inv);
            case PATH:
                return simple(spec, path(spec, raw, inv));
            case ENUM:
                if (!spec.choices().contains(raw)) {
                    throw bad(spec, Texts.shown(raw) + " is not one of: " + String.join(", ", spec.choices()));
                }
                return simple(spec, raw);
            case DURATION:
                return simple(spec, duration(spec, raw));
            case STRING:
                return simple(spec, string(spec, raw));
            case BOOL:
                return simple(spec, bool(spec, raw));
            default:
                throw new IllegalStateException("unhandled type " + spec.type());
        }
    }

    /**
     * Normalizes an absolute path and checks it lies under one of {@code roots} (for commands such as
     * {@code !disk} whose roots come from one host).
     *
     * @throws InvalidValueException naming {@code --paramName}
     */
    public static String path(String paramName, String raw, List<String> roots) {
        ParamSpec spec = new ParamSpec(paramName, ParamType.PATH, null, List.of(), "", null, null, roots);
        return path(spec, raw, Inventory.EMPTY);
    }

    private static ParamValue simple(ParamSpec spec, String value) {
        return new ParamValue(spec.name(), spec.type(), value, List.of());
    }

    private static InvalidValueException bad(ParamSpec spec, String why) {
        return new InvalidValueException("bad value for --" + spec.name() + ": " + why);
    }

    private static String bool(ParamSpec spec, String raw) {
        switch (raw.toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "on":
                return "true";
            case "false":
            case "no":
            case "off":
                return "false";
            default:
                throw bad(spec, "must be true or false, not " + Texts.shown(raw));
        }
    }

    private static String integer(ParamSpec spec, String raw) {
        if (!INT.matcher(raw).matches()) {
            throw bad(spec, "must be a whole number, not " + Texts.shown(raw));
        }
        long v = Long.parseLong(raw);
        if (spec.min() != null && v < spec.min()) {
            throw bad(spec, "must be at least " + spec.min());
        }
        if (spec.max() != null && v > spec.max()) {
            throw bad(spec, "must be at most " + spec.max());
        }
        return Long.toString(v);
    }

    private static ParamValue group(ParamSpec spec, String raw, Inventory inv) {
        Optional<List<String>> group = inv.group(raw);
        if (group.isPresent()) {
            if (group.get().isEmpty()) {
                throw bad(spec, "group " + Texts.shown(raw) + " has no hosts");
            }
            return new ParamValue(spec.name(), spec.type(), raw, group.get());
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (String h : raw.split(",", -1)) {
            if (h.isEmpty()) {
                throw bad(spec, "empty host name in the list " + Texts.shown(raw));
            }
            if (!inv.hosts().contains(h)) {
                throw bad(spec, "unknown group or host " + Texts.shown(h) + " (groups: " + listed(inv.groups().keySet())
                        + "; hosts: " + listed(inv.hosts()) + ")");
            }
            if (!hosts.add(h)) {
                throw bad(spec, "host " + Texts.shown(h) + " is listed twice");
            }
        }
        return new ParamValue(spec.name(), spec.type(), String.join(",", hosts), new ArrayList<>(hosts));
    }

    private static String path(ParamSpec spec, String raw, Inventory inv) {
        if (raw.length() > MAX_PATH) {
            throw bad(spec, "path longer than " + MAX_PATH + " characters");
        }
        if (Texts.hasUnsafe(raw)) {
            throw bad(spec, "path must not contain control characters: " + Texts.shown(raw));
        }
        if (!raw.startsWith("/")) {
            throw bad(spec, "must be an absolute path (starting with /), not " + Texts.shown(raw));
        }
        String normalized = normalize(raw);
        if (normalized == null) {
            throw bad(spec, "path must not contain . or .. segments: " + Texts.shown(raw));
        }
        Set<String> roots = new TreeSet<>();
        if (!spec.roots().isEmpty()) {
            roots.addAll(spec.roots());
        } else {
            for (String h : inv.hosts()) {
                roots.addAll(inv.diskRoots(h));
            }
        }
        for (String root : roots) {
            String r = normalize(root);
            if (r != null && (normalized.equals(r) || r.equals("/") || normalized.startsWith(r + "/"))) {
                return normalized;
            }
        }
        if (roots.isEmpty()) {
            throw bad(spec, "no allowlisted path roots are configured");
        }
        throw bad(spec, Texts.shown(normalized) + " is not under an allowlisted root (" + listed(roots) + ")");
    }

    /** The path with repeated and trailing slashes dropped, or null if it has a . or .. segment. */
    private static String normalize(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            if (seg.equals(".") || seg.equals("..")) {
                return null;
            }
            sb.append('/').append(seg);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private static String duration(ParamSpec spec, String raw) {
        if (Texts.hasUnsafe(raw) || !raw.equals(raw.strip())) {
            throw bad(spec, "not a duration: " + Texts.shown(raw));
        }
        try {
            Duration d = Durations.parse(raw);
            return Durations.compact(d);
        } catch (InvalidValueException e) {
            throw bad(spec, e.getMessage());
        }
    }

    private static String string(ParamSpec spec, String raw) {
        if (raw.length() > MAX_STRING) {
            throw bad(spec, "at most " + MAX_STRING + " characters, not " + raw.length());
        }
        if (Texts.hasUnsafe(raw)) {
            throw bad(spec, "must not contain control characters (newline, tab, NUL, colour codes): "
                    + Texts.shown(raw));
        }
        if (raw.contains("{{") || raw.contains("}}")) {
            throw bad(spec, "must not contain {{ or }}");
        }
        return raw;
    }

    private static String listed(Set<String> names) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(names));
        if (sorted.size() > 10) {
            return String.join(", ", sorted.subList(0, 10)) + ", ... (" + sorted.size() + ")";
        }
        return sorted.isEmpty() ? "none" : String.join(", ", sorted);
    }
}
