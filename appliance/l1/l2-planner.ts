import type { Decision, Incident } from './types.ts';

/**
 * The L2 tier (an LLM planner, out of scope here): given an incident L1 could not handle, it may
 * propose a heal; it must never be required for the appliance to work offline.
 */
export interface L2Planner {
  /** Proposes a decision, or undefined to pass the incident on to L3 (a human). */
  plan(incident: Incident, l1: Extract<Decision, { kind: 'escalate' }>): Promise<Decision | undefined>;
}

/** The default L2: declines everything, so unmatched incidents go straight to L3. */
export const noopL2Planner: L2Planner = {
  plan: () => Promise.resolve(undefined),
};
