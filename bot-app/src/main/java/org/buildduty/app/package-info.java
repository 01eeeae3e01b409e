/**
 * The runnable bot: {@code Main} (command line, {@code --check}, exit status); {@code Bot}, which wires the
 * configuration into a running engine from explicit lists of connectors, commands, services and step kinds, with no
 * classpath scanning; and {@code Secrets}, every secret the configuration resolved, for redaction.
 */
package org.buildduty.app;
