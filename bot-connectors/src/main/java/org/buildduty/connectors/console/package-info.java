/**
 * The local terminal as a chat ({@code type: console}): stdin lines are commands from {@code <id>:local}, the
 * operator at the machine, and answers go to stdout with control characters shown as {@code ?}.
 */
package org.buildduty.connectors.console;
