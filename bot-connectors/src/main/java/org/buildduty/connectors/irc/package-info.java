/**
 * IRC ({@code type: irc}) on PircBotX 2.1: TLS and SASL PLAIN, senders identified by services account (or hostmask
 * where configured) and fail-closed, output split to fit the relayed 512-byte line with no control character that
 * could inject a command, and one paced outgoing queue under the server's flood limits. Its settings are defined and
 * read here; PircBotX types stay inside this package.
 */
package org.buildduty.connectors.irc;
