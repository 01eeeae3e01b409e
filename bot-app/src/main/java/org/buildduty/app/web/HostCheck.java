package org.buildduty.app.web;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;

import io.javalin.http.Context;

/**
 * Against DNS rebinding, for a page without a token (on loopback): a browser tricked into sending a request for some
 * attacker's name to this address still names that site in {@code Host}, so only these {@code Host} values are
 * served: the bound address, {@code localhost}, {@code 127.0.0.1} or {@code [::1]} with the bound port (no port when
 * it is 80), and the host of {@code bot.web_url} (any port). Anything else gets 421 with one plain line.
 */
final class HostCheck {
    private final Set<String> loopbackNames;
    private final Optional<String> publicHost;
    private final IntSupplier port;

    HostCheck(String boundHost, Optional<URI> publicUrl, IntSupplier port) {
        String bound = boundHost.toLowerCase(Locale.ROOT);
        bound = bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
        this.loopbackNames = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]", bound));
        this.publicHost = publicUrl.map(URI::getHost).map(h -> h.toLowerCase(Locale.ROOT));
        this.port = port;
    }

    /** True when the request may go on; otherwise the 421 answer is set. */
    boolean admit(Context ctx) {
        if (allowed(ctx.header("Host"))) {
            return true;
        }
        ctx.status(421).contentType("text/plain; charset=utf-8")
                .result("421: this page answers only as http://127.0.0.1:" + port.getAsInt()
                        + "/ or http://localhost:" + port.getAsInt() + "/ (or bot.web_url), not for another Host\n");
        return false;
    }

    boolean allowed(String header) {
        if (header == null) {
            return false;
        }
        String h = header.strip().toLowerCase(Locale.ROOT);
        String name;
        String rest;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = h.substring(0, end + 1);
            rest = h.substring(end + 1);
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
            rest = colon < 0 ? "" : h.substring(colon);
        }
        int given;
        if (rest.isEmpty()) {
            given = 80;
        } else if (rest.matches(":[0-9]{1,5}")) {
            given = Integer.parseInt(rest.substring(1));
        } else {
            return false;
        }
        if (publicHost.isPresent() && name.equals(publicHost.get())) {
            return true;
        }
        return loopbackNames.contains(name) && given == port.getAsInt();
    }
}
