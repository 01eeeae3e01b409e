/**
 * The journal SPI: the durable record of operations, host runs, output, approvals, connector events and service
 * state, where every write is committed before the change is announced, and the sink that journals an operation's
 * progress. The SQLite implementation lives in bot-app.
 */
package org.buildduty.core.journal;
