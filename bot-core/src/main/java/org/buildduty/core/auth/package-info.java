/**
 * Who may do what: identities mapped to roles and to the person behind them, and the authorizer that decides whether
 * an identity may run a command. It fails closed: any doubt or error is a denial.
 */
package org.buildduty.core.auth;
