/**
 * The journal in one SQLite file: versioned schema and migrations, every state change committed and fsynced before
 * it returns (output lines briefly batched), an exclusive lock file so two bots never share a journal, and the bot's
 * files kept private whatever the umask.
 */
package org.buildduty.app.store;
