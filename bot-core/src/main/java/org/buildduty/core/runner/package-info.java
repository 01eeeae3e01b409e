/**
 * The runner that drives operations: steps in order, each fanned out over its hosts with bounded parallelism,
 * timeouts and stuck notices, cancel, and on failure the rollback of completed steps in reverse order (only where
 * the step succeeded). Every event goes to a progress sink; step kinds are reached only through the step-executor
 * SPI. Within a bot the engine's tick is its one timer.
 */
package org.buildduty.core.runner;
