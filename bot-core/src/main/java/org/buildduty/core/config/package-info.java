/**
 * The configuration reader every module uses: YAML read with the line of each node, typed reads that collect every
 * problem as {@code file:line: field: message}, and secrets taken only from the environment or a file, never printed.
 * Each module defines and reads its own options with it; this package knows no module's keys.
 */
package org.buildduty.core.config;
