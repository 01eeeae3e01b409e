package org.buildduty.exec.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * One-line, chat-safe texts about an HTTP service the bot depends on (Buildbot, MBS): where it is and why it could
 * not be reached, with no credential, query string or control character.
 */
public final class ServiceLines {
    private ServiceLines() {
    }

    /** {@code <service> at http://host:port/path is not reachable: connection refused}. */
    public static String unreachable(String service, URI base, IOException e) {
        String why;
        if (e instanceof ConnectException) {
            why = "connection refused";
        } else if (e instanceof NoRouteToHostException) {
            why = "no route to host";
        } else if (e instanceof UnknownHostException) {
            why = "unknown host";
        } else if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            why = "timed out";
        } else {
            why = e.getClass().getSimpleName();
        }
        return cut(service + " at " + where(base) + " is not reachable: " + why, 240);
    }

    /** Scheme, host, port and path of a base URL, without user info or query. */
    public static String where(URI base) {
        return base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort())
                + (base.getRawPath() == null ? "" : base.getRawPath());
    }

    /** One line of at most {@code max} characters: control characters become spaces, a longer text ends in "…". */
    public static String cut(String s, int max) {
        String one = s == null ? "" : s.replaceAll("[\\r\\n\\x00-\\x1f\\x7f]+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
