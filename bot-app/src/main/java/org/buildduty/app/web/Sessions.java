package org.buildduty.app.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.buildduty.core.time.Ticker;

/**
 * The page's sessions: a visit with the right token gets an opaque random id (32 bytes, base64url) for its cookie, so
 * the cookie never holds the token. Ids are kept server-side as SHA-256 digests with their expiry, at most
 * {@code max} at once (the oldest goes first); an id is valid until {@code maxAge} after it was issued.
 */
final class Sessions {
    /** How long a session lasts. */
    static final Duration MAX_AGE = Duration.ofHours(12);
    /** Sessions kept at once. */
    static final int MAX = 1000;

    private final SecureRandom random = new SecureRandom();
    private final Ticker ticker;
    private final Duration maxAge;
    private final int max;
    private final Map<String, Instant> expiries = new LinkedHashMap<>();

    Sessions(Ticker ticker, Duration maxAge, int max) {
        this.ticker = ticker;
        this.maxAge = maxAge;
        this.max = max;
    }

    /** A new session id, valid for {@code maxAge}. */
    synchronized String open() {
        Instant now = ticker.now();
        dropExpired(now);
        while (expiries.size() >= max) {
            Iterator<String> oldest = expiries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        expiries.put(digest(id), now.plus(maxAge));
        return id;
    }

    /** True for an id issued here, not yet expired nor pushed out. */
    synchronized boolean valid(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return false;
        }
        String key = digest(id);
        Instant until = expiries.get(key);
        if (until == null) {
            return false;
        }
        if (!ticker.now().isBefore(until)) {
            expiries.remove(key);
            return false;
        }
        return true;
    }

    Duration maxAge() {
        return maxAge;
    }

    synchronized int size() {
        return expiries.size();
    }

    private void dropExpired(Instant now) {
        expiries.values().removeIf(until -> !now.isBefore(until));
    }

    private static String digest(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
