/**
 * The status page on Javalin: operations and their live output read from the journal, redacted and HTML-escaped,
 * {@code /healthz} and {@code /metrics}, a read token exchanged for opaque session cookies, and a {@code Host} check
 * against DNS rebinding. Javalin and Jetty are used nowhere else (ArchitectureTest).
 */
package org.buildduty.app.web;
