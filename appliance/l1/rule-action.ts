import type { RuleAction } from './types.ts';

/** Parses `run_runbook:<ID>`, `restart_service:<svc>`, `alert:<name>`, `escalate`; undefined if malformed. */
export function parseRuleAction(action: string): RuleAction | undefined {
  if (action === 'escalate') return { kind: 'escalate' };
  const m = /^(run_runbook|restart_service|alert):([A-Za-z0-9_.@-]{1,128})$/.exec(action);
  if (!m) return undefined;
  const arg = m[2] as string;
  switch (m[1]) {
    case 'run_runbook':
      return { kind: 'run_runbook', runbookId: arg };
    case 'restart_service':
      return { kind: 'restart_service', service: arg };
    default:
      return { kind: 'alert', name: arg };
  }
}

/** The runbook an action runs, if any (exceptions with scope `runbook` match on it). */
export function runbookOf(action: RuleAction): string | undefined {
  return action.kind === 'run_runbook' ? action.runbookId : undefined;
}
