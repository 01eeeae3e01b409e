/**
 * Zulip ({@code type: zulip}): our own event-queue loop that re-registers without loss after
 * {@code BAD_EVENT_QUEUE_ID} and honours {@code retry-after}, the last handled message kept in the journal, and
 * sending and editing through the Java client over the same HTTP path. Its settings are defined and read here;
 * the Java client's types stay inside this package.
 */
package org.buildduty.connectors.zulip;
