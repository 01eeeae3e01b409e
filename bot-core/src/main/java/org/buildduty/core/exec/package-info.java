/**
 * The step-executor SPI: a {@code StepExecutor} runs one host run of one step kind and returns a
 * {@code StepResult} in place of an exception, reporting output lines and honouring cancels through its
 * {@code ExecContext}. The executors themselves live in bot-exec and bot-commands; this package uses no SSH or HTTP
 * library.
 */
package org.buildduty.core.exec;
