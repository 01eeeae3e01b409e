/**
 * The {@code http} and {@code wait_until} step executors on OkHttp, and what the service clients share: JSON paths,
 * wait conditions, credentials (bearer, basic, session logins), session cookies, and {@code OkHttpClients}, the one
 * place OkHttp clients are built.
 */
package org.buildduty.exec.http;
