/**
 * The operation model: a frozen plan with a persisted id ({@code OperationPlan}, {@code OperationId}), its steps
 * ({@code StepSpec}), its approval policy, its state and what a restart does with it. It holds no behaviour that
 * runs steps: {@code core.runner} drives operations, and step kinds are reached only through the step-executor SPI.
 */
package org.buildduty.core.operation;
