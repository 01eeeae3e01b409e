package org.buildduty.core.progress;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces configured secret values with {@code ***} in any text bound for chat, logs, the journal or the web page.
 * Values shorter than 4 characters are ignored (they would mangle ordinary text and are not secrets worth the name).
 *
 * <p>A secret is also found in the forms it travels in: base64 (standard and URL-safe, padded or not, alone or
 * anywhere inside a longer encoding, so {@code Authorization: Basic} of any user and a SASL PLAIN exchange are
 * covered), percent-encoded (form or strict, upper- or lower-case hex, space as {@code +} or {@code %20}) and
 * JSON-escaped (with or without {@code \/} and {@code \}{@code uXXXX}). {@link Builder#basic} adds the exact Basic
 * credentials {@code base64(user:secret)}, so the user part is hidden too.
 *
 * <p>Text cut short by anyone ends in {@code …}: a secret's head of at least {@value #MIN_HEAD} characters right
 * before a {@code …} is replaced too, so a cut made before redaction shows no part of a secret. Whoever cuts text
 * it holds whole should still redact first: {@link #cut} does both.
 *
 * <pre>{@code
 * Redactor r = Redactor.builder().secret(token).basic("bot", password).build();
 * r.redact("Authorization: Basic Ym90Omh1bnRlcjI=")   // "Authorization: Basic ***"
 * r.cut(line, 300)                                     // redacted, then at most 300 characters
 * }</pre>
 */
public final class Redactor {
    /** Redacts nothing. */
    public static final Redactor NONE = new Redactor(List.of());

    /** The shortest head of a secret redacted before a cut mark. */
    static final int MIN_HEAD = 3;
    /** The shortest base64 fragment registered for a secret inside a longer encoding. */
    private static final int MIN_FRAGMENT = 8;
    private static final String MASK = "***";
    private static final String CUT = "…";
    private static final Pattern UNICODE_ESCAPE = Pattern.compile("\\\\u([0-9a-f]{4})");

    /** Every form of every secret, longest first. */
    private final List<String> forms;

    /** A redactor for these secrets (and their encoded forms). */
    public Redactor(Collection<String> secrets) {
        this(builder().secrets(secrets).forms);
    }

    private Redactor(Set<String> forms) {
        this.forms = forms.stream().sorted(Comparator.comparingInt(String::length).reversed()
                .thenComparing(Comparator.naturalOrder())).toList();
    }

    /** A builder for a redactor of secrets and Basic credentials. */
    public static Builder builder() {
        return new Builder();
    }

    /** The text with every form of every secret replaced, including a secret's head before a cut mark. */
    public String redact(String text) {
        if (text == null || forms.isEmpty() || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : forms) {
            if (out.contains(s)) {
                out = out.replace(s, MASK);
            }
        }
        return out.contains(CUT) ? heads(out) : out;
    }

    /**
     * The text redacted, then cut to at most {@code max} characters (the last one {@code …} when it was cut): the
     * order that never shows a secret's head.
     */
    public String cut(String text, int max) {
        String r = redact(text);
        if (r == null || r.length() <= max) {
            return r;
        }
        int end = Math.max(0, max - 1);
        if (end > 0 && Character.isHighSurrogate(r.charAt(end - 1))) {
            end--;
        }
        return r.substring(0, end) + CUT;
    }

    /** Replaces, before each cut mark, the longest head of a secret form of at least {@link #MIN_HEAD} characters. */
    private String heads(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int from = 0;
        for (int at = text.indexOf(CUT); at >= 0; at = text.indexOf(CUT, at + 1)) {
            int head = 0;
            for (String s : forms) {
                for (int k = Math.min(s.length() - 1, at - from); k > head && k >= MIN_HEAD; k--) {
                    if (text.regionMatches(at - k, s, 0, k)) {
                        head = k;
                        break;
                    }
                }
            }
            sb.append(text, from, at - head);
            if (head > 0) {
                sb.append(MASK);
            }
            sb.append(CUT);
            from = at + CUT.length();
        }
        return sb.append(text, from, text.length()).toString();
    }

    /** Collects secrets and credentials; {@link #build} makes the redactor. */
    public static final class Builder {
        private final Set<String> forms = new LinkedHashSet<>();

        private Builder() {
        }

        /** A secret, with its encoded forms; null and values shorter than 4 characters are ignored. */
        public Builder secret(String secret) {
            if (secret != null && secret.length() >= 4) {
                forms.add(secret);
                forms.addAll(json(secret));
                forms.addAll(percent(secret));
                forms.addAll(base64(secret.getBytes(StandardCharsets.UTF_8)));
            }
            return this;
        }

        /** Each of these secrets. */
        public Builder secrets(Collection<String> secrets) {
            secrets.forEach(this::secret);
            return this;
        }

        /** A Basic-auth password and the exact header value sent for it, {@code base64(user:secret)}. */
        public Builder basic(String user, String secret) {
            secret(secret);
            if (user != null && secret != null && secret.length() >= 4) {
                byte[] pair = (user + ":" + secret).getBytes(StandardCharsets.UTF_8);
                for (Base64.Encoder e : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                    String padded = e.encodeToString(pair);
                    forms.add(padded);
                    forms.add(padded.replace("=", ""));
                }
            }
            return this;
        }

        public Redactor build() {
            return new Redactor(forms);
        }

        /** JSON string escapes: minimal, with {@code \/}, and with every non-ASCII character as {@code \}u. */
        private static List<String> json(String s) {
            List<String> out = new ArrayList<>();
            for (int variant = 0; variant < 4; variant++) {
                boolean slash = (variant & 1) != 0;
                boolean ascii = (variant & 2) != 0;
                StringBuilder sb = new StringBuilder();
                for (char c : s.toCharArray()) {
                    switch (c) {
                        case '"' -> sb.append("\\\"");
                        case '\\' -> sb.append("\\\\");
                        case '\n' -> sb.append("\\n");
                        case '\r' -> sb.append("\\r");
                        case '\t' -> sb.append("\\t");
                        case '\b' -> sb.append("\\b");
                        case '\f' -> sb.append("\\f");
                        case '/' -> sb.append(slash ? "\\/" : "/");
                        default -> {
                            if (c < 0x20 || (ascii && c > 0x7e)) {
                                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                            } else {
                                sb.append(c);
                            }
                        }
                    }
                }
                out.add(sb.toString());
                out.add(upperEscapes(sb.toString()));
            }
            return out;
        }

        /** The same escapes with upper-case hex ({@code \}u00E9). */
        private static String upperEscapes(String s) {
            Matcher m = UNICODE_ESCAPE.matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement("\\u" + m.group(1).toUpperCase(Locale.ROOT)));
            }
            return m.appendTail(sb).toString();
        }

        /** Percent-encodings: form ({@code +}) and {@code %20}, strict RFC 3986, with upper- and lower-case hex. */
        private static List<String> percent(String s) {
            String form = URLEncoder.encode(s, StandardCharsets.UTF_8);
            StringBuilder strict = new StringBuilder();
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                    strict.append((char) c);
                } else {
                    strict.append(String.format(Locale.ROOT, "%%%02X", c));
                }
            }
            List<String> out = new ArrayList<>();
            for (String f : List.of(form, form.replace("+", "%20"), form.replace("+", "%20").replace("*", "%2A")
                    .replace("%7E", "~"), strict.toString())) {
                out.add(f);
                out.add(lowerHex(f));
            }
            return out;
        }

        private static String lowerHex(String s) {
            StringBuilder sb = new StringBuilder(s);
            for (int i = sb.indexOf("%"); i >= 0 && i + 2 < sb.length(); i = sb.indexOf("%", i + 1)) {
                sb.setCharAt(i + 1, Character.toLowerCase(sb.charAt(i + 1)));
                sb.setCharAt(i + 2, Character.toLowerCase(sb.charAt(i + 2)));
            }
            return sb.toString();
        }

        /**
         * Base64 of the bytes, standard and URL-safe: the whole encoding (padded and not), and for each of the three
         * alignments the bytes can have inside a longer encoding, the characters that depend on the bytes alone.
         */
        private static List<String> base64(byte[] bytes) {
            List<String> out = new ArrayList<>();
            for (Base64.Encoder e : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                String whole = e.encodeToString(bytes);
                out.add(whole);
                out.add(whole.replace("=", ""));
                for (int offset = 0; offset < 3; offset++) {
                    byte[] shifted = new byte[offset + bytes.length];
                    System.arraycopy(bytes, 0, shifted, offset, bytes.length);
                    String enc = e.withoutPadding().encodeToString(shifted);
                    // characters carrying bits of the leading filler bytes: offset 1 -> 2, offset 2 -> 3
                    int skip = offset == 0 ? 0 : offset + 1;
                    // the last full group ends at a multiple of 3 bytes: later characters mix in what follows
                    int fullBytes = (shifted.length / 3) * 3;
                    int end = fullBytes / 3 * 4;
                    if (end - skip >= MIN_FRAGMENT) {
                        out.add(enc.substring(skip, end));
                    }
                }
            }
            return out;
        }
    }
}
