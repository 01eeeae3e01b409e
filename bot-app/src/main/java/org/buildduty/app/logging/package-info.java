/**
 * Logback glue: message and stack-trace converters that redact every configured secret, whoever logs it, and a file
 * appender that keeps the log file private ({@code 0600}) whatever the umask.
 */
package org.buildduty.app.logging;
