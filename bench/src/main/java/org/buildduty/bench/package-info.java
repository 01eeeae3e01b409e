/**
 * The benchmarks, run by {@code bench/run}: command round trips on a real local IRC network, load on the real bot
 * process, SSH fan-out and the reconfig runbook's fan-out against a real sshd, and {@code mbs watch} at scale. Each
 * {@code main} prints its figures; nothing here ships in the bot.
 */
package org.buildduty.bench;
