/**
 * The configuration file as the app reads it: the top-level sections ({@code bot}, {@code roles}, {@code people},
 * {@code inventory}, {@code services}, {@code credentials}) and {@code connectors}, whose entries each connector type's
 * own reader reads, all through bot-core's config reader so every error is one {@code file:line: field: message}.
 * {@code ConnectorTypes} is the one list of connector types.
 */
package org.buildduty.app.config;
