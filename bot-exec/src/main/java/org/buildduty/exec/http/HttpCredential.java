package org.buildduty.exec.http;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A configured secret an {@code http} or {@code wait_until} step may name with {@code auth:}; it is only ever sent to
 * URLs under {@link #baseUrl()} (same scheme, host and port, and a path under its path).
 *
 * <p>{@link Kind#BEARER} sends {@code Authorization: Bearer <secret>}; {@link Kind#BASIC} sends Basic credentials of
 * {@code user} and the secret; {@link Kind#SESSION} logs in the Buildbot way: {@code GET loginUrl} with Basic
 * credentials (redirects not followed), keeps the cookies the answer sets (the last value of each name), sends them
 * on later calls, and logs in again once when a call is answered 401 or 403. The secret is read from the supplier
 * each time it is needed and never appears in {@link #toString()}.
 *
 * <pre>{@code
 * new HttpCredential("buildbot", Kind.SESSION, URI.create("http://buildbot.example.org:8010/"), "buildduty",
 *         () -> System.getenv("BUILDBOT_PASSWORD"), URI.create("http://buildbot.example.org:8010/auth/login"));
 * }</pre>
 *
 * @param name what runbooks write after {@code auth:}
 * @param kind how the secret is sent
 * @param baseUrl the URLs the credential may be sent to (http or https, with a host)
 * @param user the user name (required for BASIC and SESSION)
 * @param secret the token or password
 * @param loginUrl where a SESSION credential logs in (required for SESSION, else null)
 */
public record HttpCredential(String name, Kind kind, URI baseUrl, String user, Supplier<String> secret,
        URI loginUrl) {
    /** How a credential is sent. */
    public enum Kind { BEARER, BASIC, SESSION }

    public HttpCredential {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(secret, "secret");
        if (name.isBlank()) {
            throw new IllegalArgumentException("credential name is blank");
        }
        checkHttp(baseUrl, name, "baseUrl");
        if (kind != Kind.BEARER && (user == null || user.isEmpty())) {
            throw new IllegalArgumentException("credential " + name + ": " + kind.name().toLowerCase(Locale.ROOT)
                    + " needs a user");
        }
        if (kind == Kind.SESSION) {
            Objects.requireNonNull(loginUrl, "loginUrl");
            checkHttp(loginUrl, name, "loginUrl");
        }
    }

    private static void checkHttp(URI uri, String name, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("credential " + name + ": " + what + " must be an http or https URL"
                    + " with a host");
        }
    }

    /** A bearer-token credential. */
    public static HttpCredential bearer(String name, URI baseUrl, Supplier<String> token) {
        return new HttpCredential(name, Kind.BEARER, baseUrl, null, token, null);
    }

    /** A Basic-auth credential. */
    public static HttpCredential basic(String name, URI baseUrl, String user, Supplier<String> password) {
        return new HttpCredential(name, Kind.BASIC, baseUrl, user, password, null);
    }

    /** A Buildbot-style session credential that logs in at {@code loginUrl}. */
    public static HttpCredential session(String name, URI baseUrl, String user, Supplier<String> password,
            URI loginUrl) {
        return new HttpCredential(name, Kind.SESSION, baseUrl, user, password, loginUrl);
    }

    /**
     * True when {@code url} is under {@link #baseUrl()}: same scheme, host (ignoring case) and port (defaults
     * filled in), and its path is the base path or below it.
     */
    public boolean covers(URI url) {
        if (url.getScheme() == null || url.getHost() == null) {
            return false;
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals(baseUrl.getScheme().toLowerCase(Locale.ROOT))
                || !url.getHost().equalsIgnoreCase(baseUrl.getHost())
                || port(url) != port(baseUrl)) {
            return false;
        }
        String base = baseUrl.getRawPath() == null || baseUrl.getRawPath().isEmpty() ? "/" : baseUrl.getRawPath();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (base.endsWith("/")) {
            return path.startsWith(base) || path.equals(base.substring(0, base.length() - 1));
        }
        return path.equals(base) || path.startsWith(base + "/");
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    @Override
    public String toString() {
        return "HttpCredential[name=" + name + ", kind=" + kind + ", baseUrl=" + baseUrl
                + (user == null ? "" : ", user=" + user) + (loginUrl == null ? "" : ", loginUrl=" + loginUrl) + "]";
    }
}
