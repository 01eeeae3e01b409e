/**
 * Operations and the runner that drives them: a frozen plan with a persisted id, its steps fanned out over hosts with
 * bounded parallelism, timeouts and stuck notices, cancel, and on failure the rollback of completed steps in reverse
 * order. Every event goes to a progress sink; step kinds are reached only through the step-executor SPI.
 */
package org.buildduty.core.operation;
