/**
 * The general step executors, implementing bot-core's step-executor SPI ({@code org.buildduty.core.exec}):
 * {@code local} here, {@code ssh} in {@code exec.ssh}, {@code http} and {@code wait_until} in {@code exec.http}.
 * The integrations' executors (Buildbot, MBS, disk) live with their commands in bot-commands; bot-app's
 * {@code StepKinds} lists every step kind.
 */
package org.buildduty.exec;
