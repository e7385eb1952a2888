// The L1 engine's state (cooldowns, breakers, flap latches) kept across restarts: a flapping check
// must stay latched after a reboot. Plain JSON, replaced atomically.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../sync/log.ts';
import { type EngineState, INITIAL_ENGINE_STATE } from '../l1/index.ts';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Loads the state; a missing or unreadable file starts fresh (logged), never blocks the daemon. */
export function loadEngineState(path: string, log: Logger): EngineState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return INITIAL_ENGINE_STATE;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (isRecord(v) && isRecord(v.cooldowns) && isRecord(v.checks)) return v as unknown as EngineState;
  } catch {
    // fall through
  }
  log.warn({ path }, 'engine state unreadable; starting with a fresh one');
  return INITIAL_ENGINE_STATE;
}

/** Writes the state atomically (temp file + rename). Failures are logged: healing goes on. */
export function saveEngineState(path: string, state: EngineState, log: Logger): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, path);
  } catch (e) {
    log.error({ path, err: (e as Error).message }, 'engine state not saved');
  }
}
