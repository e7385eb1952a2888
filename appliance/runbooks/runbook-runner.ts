import { isOsirisError, OsirisError } from '../../schemas/errors.ts';
import { type Logger, silentLogger } from '../../sync/log.ts';
import { type PhaseVerdict, parseDetect, parseRemediate, parseVerify } from './runbook-protocol.ts';
import { runbookErrors } from './runbook-errors.ts';
import { diffState, parseState } from './state-diff.ts';
import type {
  CommandExecutor,
  CommandResult,
  ExecutedStep,
  FailureType,
  Runbook,
  RunbookExecution,
  RunbookPhase,
  SshTarget,
} from './types.ts';

/** How to run a runbook. */
export interface RunOptions {
  readonly executor: CommandExecutor;
  /** Root prefix the scripts operate under: `/` on real hosts, a sandbox directory in tests [`/`]. */
  readonly root?: string;
  /** Wrap in `sudo -n` [runbook.sudo and not logged in as root]. */
  readonly sudo?: boolean;
  /** Clock for telemetry timestamps [Date.now]. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** Output kept per step in the telemetry. */
const STEP_OUTPUT = 4096;
const tail = (s: string) => (s.length > STEP_OUTPUT ? s.slice(-STEP_OUTPUT) : s);

const FAILURE_BY_CODE: Readonly<Record<string, FailureType>> = {
  E_RUNBOOK_TIMEOUT: 'timeout',
  E_RUNBOOK_SSH_AUTH: 'auth_failed',
  E_RUNBOOK_SSH_HOST_KEY: 'auth_failed',
  E_RUNBOOK_SSH_CONNECT: 'connection_failed',
  E_RUNBOOK_CONNECTION_LOST: 'connection_lost',
};

class PhaseError extends Error {
  constructor(
    readonly failure: FailureType,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs capture → detect → (remediate → verify) → capture on one target under the runbook
 * protocol. Compliant stops after detect; any failing phase stops the run. Never throws for
 * target-side problems: they come back as a failed execution with a failure_type.
 */
export async function runRunbook(
  runbook: Runbook,
  target: SshTarget,
  options: RunOptions,
): Promise<RunbookExecution> {
  const now = options.now ?? Date.now;
  const log = options.logger ?? silentLogger;
  const root = options.root ?? '/';
  if (!root.startsWith('/') || root.includes('\0'))
    throw new OsirisError(runbookErrors.E_RUNBOOK_BAD_ARGUMENT, 'root must be an absolute path');
  const sudo = options.sudo ?? (runbook.sudo && target.username !== 'root');
  const timeoutMs = runbook.timeout_s * 1000;
  const startedAt = now();
  const steps: ExecutedStep[] = [];

  const exec = async (phase: RunbookPhase, script: string): Promise<CommandResult> => {
    const argv = [...(sudo ? ['sudo', '-n', '--'] : []), 'sh', '-c', script, `osiris-${runbook.id}`, root];
    try {
      return await options.executor.run(target, argv, { timeoutMs });
    } catch (e) {
      const failure = (isOsirisError(e) && FAILURE_BY_CODE[e.code]) || 'error';
      steps.push({ phase, exit_code: null, signal: null, stdout: '', stderr: '', duration_ms: 0, ok: false });
      throw new PhaseError(failure, `${phase}: ${(e as Error).message}`);
    }
  };
  const record = (phase: RunbookPhase, r: CommandResult, ok: boolean) =>
    steps.push({
      phase,
      exit_code: r.exitCode,
      signal: r.signal,
      stdout: tail(r.stdout),
      stderr: tail(r.stderr),
      duration_ms: r.durationMs,
      ok,
    });
  const capture = async (phase: 'capture_before' | 'capture_after') => {
    const r = await exec(phase, runbook.capture);
    record(phase, r, r.exitCode === 0);
    return r.exitCode === 0 ? parseState(r.stdout) : {};
  };
  const phase = async (name: RunbookPhase, script: string, parse: (r: CommandResult) => PhaseVerdict) => {
    const r = await exec(name, script);
    const v = parse(r);
    record(name, r, v.kind !== 'protocol_error' && v.kind !== 'verify_failed');
    return v;
  };

  let before: Record<string, string> = {};
  let after: Record<string, string> | undefined;
  let drift: string | null = null;
  let verification: boolean | null = null;
  let remediated = false;
  const finish = (
    outcome: RunbookExecution['outcome'],
    failure: FailureType | null,
    message: string | null,
  ) => {
    const completedAt = now();
    // partial: the fix was applied but verification never concluded (error, timeout, lost link).
    const status =
      outcome !== 'failed' ? 'success' : remediated && verification === null ? 'partial' : 'failure';
    const stateAfter = after ?? before;
    log.info({ runbook: runbook.id, host: target.host, outcome, failure }, 'runbook finished');
    return {
      runbook_id: runbook.id,
      hostname: target.host,
      check_type: runbook.check_type,
      started_at: startedAt,
      completed_at: completedAt,
      duration_ms: completedAt - startedAt,
      success: outcome !== 'failed',
      status,
      outcome,
      drift_detail: drift,
      verification_passed: verification,
      resolution_level: 'L1',
      state_before: before,
      state_after: stateAfter,
      state_diff: diffState(before, stateAfter),
      executed_steps: steps,
      error_message: message,
      failure_type: failure,
    } satisfies RunbookExecution;
  };

  try {
    before = await capture('capture_before');
    const d = await phase('detect', runbook.detect, parseDetect);
    if (d.kind === 'compliant') return finish('compliant', null, null);
    if (d.kind !== 'drift') return finish('failed', 'detect_error', `detect: ${detailOf(d)}`);
    drift = d.detail;
    const rem = await phase('remediate', runbook.remediate, parseRemediate);
    if (rem.kind !== 'remediated') {
      after = await capture('capture_after').catch(() => undefined);
      return finish('failed', 'remediation_failed', `remediate: ${detailOf(rem)}`);
    }
    remediated = true;
    const v = await phase('verify', runbook.verify, parseVerify);
    after = await capture('capture_after').catch(() => undefined);
    if (v.kind === 'verified') {
      verification = true;
      return finish('remediated', null, null);
    }
    if (v.kind === 'verify_failed') {
      verification = false;
      return finish('failed', 'verification_failed', `verify: ${v.detail || 'VERIFY_FAILED'}`);
    }
    return finish('failed', 'verify_error', `verify: ${detailOf(v)}`);
  } catch (e) {
    if (!(e instanceof PhaseError)) throw e;
    return finish('failed', e.failure, e.message);
  }
}

function detailOf(v: PhaseVerdict): string {
  return 'detail' in v ? v.detail : v.kind;
}
