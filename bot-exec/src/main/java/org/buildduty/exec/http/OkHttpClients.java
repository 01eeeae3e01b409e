package org.buildduty.exec.http;

import java.time.Duration;

import okhttp3.OkHttpClient;

/**
 * The one place OkHttp clients are built, for the executors, the service clients and the connectors: 10 s to
 * connect, and the read and write timeouts the caller gives (each caller adds what is its own: a call timeout, no
 * retry on a failed connection, an interceptor). Rate limits (429 and {@code Retry-After}) are not handled here:
 * each caller reads the value with {@link RetryAfter} and waits its own way (see its Javadoc), as a step, a poll
 * loop or a connector's send loop needs.
 */
public final class OkHttpClients {
    /** How long a client waits for a TCP (and TLS) connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private OkHttpClients() {
    }

    /** A builder with {@link #CONNECT_TIMEOUT} and these timeouts for each read and write. */
    public static OkHttpClient.Builder builder(Duration readTimeout, Duration writeTimeout) {
        return new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).readTimeout(readTimeout)
                .writeTimeout(writeTimeout);
    }
}
