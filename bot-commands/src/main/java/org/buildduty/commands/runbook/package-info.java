/**
 * Runbooks: YAML files of typed parameters and step templates, loaded with every problem reported as
 * {@code file:line: field: message}, turned into frozen plans by the {@code run} command and each runbook's alias
 * command, and shown as a dry run. Step kinds and their arguments are checked against the kinds and executors the
 * caller passes in; this package knows no executor.
 */
package org.buildduty.commands.runbook;
