/**
 * The configuration file as the app reads it: the top-level sections ({@code bot}, {@code roles}, {@code people},
 * {@code inventory}, {@code credentials}), and {@code connectors} and {@code services}, whose entries each connector
 * type's or service's own reader reads, all through bot-core's config reader so every error is one
 * {@code file:line: field: message}. {@code ConnectorTypes} is the one list of connector types, {@code ServiceTypes}
 * the one list of services.
 */
package org.buildduty.app.config;
