/**
 * The {@code ssh} step executor on JSch: inventory targets, known_hosts checking, keys and ssh-agent, jump hosts,
 * and one session per operation and host.
 */
package org.buildduty.exec.ssh;
