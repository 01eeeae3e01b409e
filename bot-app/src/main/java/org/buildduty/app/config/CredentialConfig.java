package org.buildduty.app.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

import org.buildduty.core.config.Secret;

/**
 * One entry of {@code credentials:}: how an {@code http} or {@code wait_until} step that names it with
 * {@code auth: NAME} authenticates. It is only ever sent to URLs under {@link #url()}.
 *
 * @param name   the name runbooks use
 * @param type   how it is sent
 * @param url    the base URL it belongs to
 * @param user   the user, for {@code basic} and {@code session}
 * @param secret the token ({@code bearer}) or password ({@code basic}, {@code session})
 * @param login  where a {@code session} logs in (GET with Basic auth; the server answers with a session cookie)
 */
public record CredentialConfig(String name, Type type, URI url, Optional<String> user, Secret secret,
        Optional<URI> login) {

    /** How a credential is sent. */
    public enum Type {
        /** {@code Authorization: Bearer <token>} on every request. */
        BEARER,
        /** {@code Authorization: Basic} on every request. */
        BASIC,
        /** Log in once with Basic auth, then send the session cookies (Buildbot's {@code /auth/login}). */
        SESSION
    }

    public CredentialConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
    }
}
