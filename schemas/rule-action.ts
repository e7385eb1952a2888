// L1 rule actions: `run_runbook:<ID>`, `restart_service:<svc>`, `alert:<name>`, `escalate`.
import { z } from 'zod';

export type RuleAction =
  | { readonly type: 'run_runbook'; readonly runbookId: string }
  | { readonly type: 'restart_service'; readonly service: string }
  | { readonly type: 'alert'; readonly name: string }
  | { readonly type: 'escalate' };

const RUNBOOK_ID = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/;
const SERVICE = /^[A-Za-z0-9_.@-]{1,128}$/;
const ALERT = /^[A-Za-z0-9_.-]{1,64}$/;

/** Placeholder runbook ids (`AUTO-*`) were once promoted by the old flywheel; they never run. */
export function isPlaceholderRunbook(runbookId: string): boolean {
  return /^AUTO[-_]/i.test(runbookId);
}

/** Linux runbooks (`LIN-*`) go to the SSH executor. */
export function isLinuxRunbook(runbookId: string): boolean {
  return runbookId.startsWith('LIN-');
}

/** Parses an action string; null when it is malformed or names a placeholder runbook. */
export function parseRuleAction(action: string): RuleAction | null {
  if (action === 'escalate') return { type: 'escalate' };
  const colon = action.indexOf(':');
  if (colon < 0) return null;
  const verb = action.slice(0, colon);
  const arg = action.slice(colon + 1);
  switch (verb) {
    case 'run_runbook':
      return RUNBOOK_ID.test(arg) && !isPlaceholderRunbook(arg)
        ? { type: 'run_runbook', runbookId: arg }
        : null;
    case 'restart_service':
      return SERVICE.test(arg) ? { type: 'restart_service', service: arg } : null;
    case 'alert':
      return ALERT.test(arg) ? { type: 'alert', name: arg } : null;
    default:
      return null;
  }
}

/** The string form of an action, as stored in a rule and in `{action}:{rule_id}` outcome keys. */
export function formatRuleAction(action: RuleAction): string {
  switch (action.type) {
    case 'run_runbook':
      return `run_runbook:${action.runbookId}`;
    case 'restart_service':
      return `restart_service:${action.service}`;
    case 'alert':
      return `alert:${action.name}`;
    case 'escalate':
      return 'escalate';
  }
}

/** An action string that parses; placeholder runbooks get their own message. */
export const ruleActionSchema = z
  .string()
  .max(200)
  .superRefine((action, ctx) => {
    if (parseRuleAction(action) !== null) return;
    const placeholder = action.startsWith('run_runbook:') && isPlaceholderRunbook(action.slice(12));
    ctx.addIssue({
      code: 'custom',
      message: placeholder
        ? 'placeholder runbook ids (AUTO-*) are never allowed in a rule'
        : 'action must be run_runbook:<ID>, restart_service:<svc>, alert:<name> or escalate',
    });
  });
