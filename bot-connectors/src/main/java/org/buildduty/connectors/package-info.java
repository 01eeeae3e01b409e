/**
 * The chat connectors, one package per chat system, each reading its own configuration entry and turning its chat's
 * traffic into bot-core events; here only what every network connector shares, the connection state it reports.
 * Connectors know no command and not the app (ArchitectureTest), and their chat library's types never leave their
 * package.
 */
package org.buildduty.connectors;
