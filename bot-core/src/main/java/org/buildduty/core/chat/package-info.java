/**
 * The chat SPI: the {@code Connector} a chat system implements, the events it reports (messages with verified
 * identities, connection changes), addresses and capabilities, and announcements to any room.
 * Connectors implement it in bot-connectors; nothing here knows a chat library.
 */
package org.buildduty.core.chat;
