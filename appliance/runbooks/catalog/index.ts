import { OsirisError } from '../../../schemas/errors.ts';
import { runbookErrors } from '../runbook-errors.ts';
import type { Runbook } from '../types.ts';
import { LIN_AUDIT_001 } from './lin-audit-001.ts';
import { LIN_FW_001 } from './lin-fw-001.ts';
import { LIN_KERN_001 } from './lin-kern-001.ts';
import { LIN_SSH_001, LIN_SSH_002 } from './sshd-option.ts';

/** The built-in Linux runbooks by id. */
export const RUNBOOKS: ReadonlyMap<string, Runbook> = new Map(
  [LIN_SSH_001, LIN_SSH_002, LIN_FW_001, LIN_AUDIT_001, LIN_KERN_001].map((r) => [r.id, r]),
);

/** Looks a runbook up by exact id (never by pattern), throwing E_RUNBOOK_UNKNOWN. */
export function getRunbook(id: string): Runbook {
  const r = RUNBOOKS.get(id);
  if (!r) throw new OsirisError(runbookErrors.E_RUNBOOK_UNKNOWN, `unknown runbook ${JSON.stringify(id)}`);
  return r;
}
