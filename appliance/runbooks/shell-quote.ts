import { OsirisError } from '../../schemas/errors.ts';
import { runbookErrors } from './runbook-errors.ts';

const SAFE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/**
 * POSIX-shell quotes one argument: safe words stay bare, everything else goes in single quotes
 * with each `'` written as `'\''`. Inside single quotes a POSIX shell expands nothing (`$`, `` ` ``,
 * `\`, newlines, globs are literal). NUL cannot travel in an argument and is refused.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0'))
    throw new OsirisError(runbookErrors.E_RUNBOOK_BAD_ARGUMENT, 'argument contains NUL');
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Builds the command string an SSH `exec` request carries from an argument vector. */
export function buildCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new OsirisError(runbookErrors.E_RUNBOOK_BAD_ARGUMENT, 'empty argument vector');
  return argv.map(shellQuote).join(' ');
}
