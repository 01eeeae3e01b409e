/**
 * Disk in one place: the {@code disk} and {@code disk clean} commands, the {@code disk} step kind run over the
 * {@code ssh} executor, and the POSIX scripts it sends, which check a path against its allowlisted root after
 * resolving every symbolic link and single-quote every value.
 */
package org.buildduty.commands.disk;
