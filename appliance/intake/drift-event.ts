import { z } from 'zod';
import { applianceCheckType } from './check-type-renames.ts';

/** Bounds on event fields; a message that breaks them is rejected, never truncated. */
export const EVENT_LIMITS = { text: 4096, metadataEntries: 64, metadataKey: 128 } as const;

const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2100, 0, 1);

/** A decoded DriftEvent as proto-loader delivers it (defaults on, int64 as Number). */
export const driftEventWire = z.object({
  event_id: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9._:-]*$/, 'event_id: letters, digits, . _ : - only'),
  agent_id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'agent_id: 1-128 of letters, digits, . _ : -'),
  hostname: z.string().min(1).max(253),
  check_type: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'check_type: lower-case snake_case'),
  passed: z.boolean(),
  expected: z.string().max(EVENT_LIMITS.text),
  actual: z.string().max(EVENT_LIMITS.text),
  hipaa_control: z.string().max(64),
  timestamp: z.number().int().min(MIN_TS).max(MAX_TS),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  metadata: z
    .record(z.string().max(EVENT_LIMITS.metadataKey), z.string().max(EVENT_LIMITS.text))
    .refine((m) => Object.keys(m).length <= EVENT_LIMITS.metadataEntries, 'metadata: at most 64 entries'),
});

/** A validated event, check type renamed to the appliance vocabulary. */
export interface DriftEvent {
  readonly event_id: string;
  readonly agent_id: string;
  readonly hostname: string;
  readonly check_type: string;
  /** The check type as the agent sent it. */
  readonly agent_check_type: string;
  readonly passed: boolean;
  readonly expected: string;
  readonly actual: string;
  readonly hipaa_control: string;
  /** Epoch ms (agent clock). */
  readonly timestamp: number;
  readonly severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  readonly metadata: Readonly<Record<string, string>>;
  /** Epoch ms (appliance clock). */
  readonly received_at: number;
}

/** Validation outcome: the event, or why it was refused. */
export type EventCheck =
  | { readonly ok: true; readonly event: DriftEvent }
  | {
      readonly ok: false;
      readonly code: 'E_INTAKE_INVALID_EVENT' | 'E_INTAKE_AGENT_MISMATCH';
      readonly message: string;
    };

/** Validates a decoded message for an authenticated agent. */
export function checkDriftEvent(raw: unknown, agentId: string, receivedAt: number): EventCheck {
  const parsed = driftEventWire.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    return { ok: false, code: 'E_INTAKE_INVALID_EVENT', message };
  }
  const e = parsed.data;
  if (e.agent_id !== agentId)
    return { ok: false, code: 'E_INTAKE_AGENT_MISMATCH', message: 'agent_id does not match the token' };
  return {
    ok: true,
    event: {
      ...e,
      check_type: applianceCheckType(e.check_type),
      agent_check_type: e.check_type,
      received_at: receivedAt,
    },
  };
}
