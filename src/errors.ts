/**
 * The errors a user can fix (a flag, a file, a setting, a budget): the CLI prints their message as
 * one line and exits with code 2, and never shows a stack trace for them. Every such error class
 * extends UserError; anything else reaching the CLI is a bug.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** Bad data: a file, a column, a cell or caller arrays. The message names the file and what is wrong. */
export class DataError extends UserError {
  override name = 'DataError';
}
