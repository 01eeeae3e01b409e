/**
 * Injected time: the {@code Ticker} every expiry, timeout and schedule reads instead of the system clock, the
 * {@code Sleeper} every wait goes through so tests advance a fake ticker instead of sleeping, and short renderings for
 * chat. Depends on nothing else of the bot.
 */
package org.buildduty.core.time;
