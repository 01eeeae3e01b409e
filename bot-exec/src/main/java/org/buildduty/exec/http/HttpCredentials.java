package org.buildduty.exec.http;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The credentials {@code http} and {@code wait_until} steps may name with {@code auth:}, by name.
 *
 * <pre>{@code
 * HttpCredentials creds = HttpCredentials.of(List.of(HttpCredential.bearer("mbs", mbsUrl, () -> token)));
 * }</pre>
 */
public interface HttpCredentials {
    /** The credential called {@code name}, if configured. */
    Optional<HttpCredential> get(String name);

    /** The configured names, for messages; empty unless an implementation lists them. */
    default Set<String> names() {
        return Set.of();
    }

    /** No credentials. */
    static HttpCredentials none() {
        return of(List.of());
    }

    /**
     * These credentials.
     *
     * @throws IllegalArgumentException if two share a name
     */
    static HttpCredentials of(Collection<HttpCredential> credentials) {
        Map<String, HttpCredential> byName = new LinkedHashMap<>();
        for (HttpCredential c : credentials) {
            if (byName.putIfAbsent(c.name(), c) != null) {
                throw new IllegalArgumentException("two HTTP credentials named " + c.name());
            }
        }
        Map<String, HttpCredential> copy = Collections.unmodifiableMap(byName);
        return new HttpCredentials() {
            @Override
            public Optional<HttpCredential> get(String name) {
                return Optional.ofNullable(copy.get(name));
            }

            @Override
            public Set<String> names() {
                return copy.keySet();
            }

            @Override
            public String toString() {
                return "HttpCredentials" + copy.keySet();
            }
        };
    }
}
