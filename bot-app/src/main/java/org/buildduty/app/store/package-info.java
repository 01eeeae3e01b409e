/**
 * The bot's journal ({@link org.buildduty.app.store.BotJournal}) in one SQLite file or in a PostgreSQL database:
 * versioned schema and migrations, every state change committed before it returns (output lines briefly batched),
 * retention in batches shared by both; for SQLite an exclusive lock file so two bots never share a journal, and the
 * bot's files kept private whatever the umask.
 */
package org.buildduty.app.store;
