/** Runbook, SSH target and execution telemetry shapes (execution telemetry per domain.md). */

/** The phases of a run, in order; `capture` runs before detect and after verify. */
export type RunbookPhase = 'capture_before' | 'detect' | 'remediate' | 'verify' | 'capture_after';

/** A runbook: fixed POSIX sh scripts that take the target root prefix as `$1`. */
export interface Runbook {
  readonly id: string;
  readonly name: string;
  readonly check_type: string;
  readonly severity: 'low' | 'medium' | 'high' | 'critical';
  readonly hipaa_controls: readonly string[];
  /** Prints `COMPLIANT` (exit 0) or `DRIFT:<detail>` (exit 1). */
  readonly detect: string;
  /** Prints `REMEDIATED` (exit 0). */
  readonly remediate: string;
  /** Prints `VERIFIED` (exit 0) or `VERIFY_FAILED` (exit 1). */
  readonly verify: string;
  /** Prints `key=value` lines describing the state the runbook manages. */
  readonly capture: string;
  /** Per-phase timeout in seconds (60). */
  readonly timeout_s: number;
  /** Needs root on the target (run through `sudo -n` unless logged in as root). */
  readonly sudo: boolean;
}

/** Where and as whom to run. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** OpenSSH or PEM private key. */
  readonly privateKey: string | Buffer;
  readonly passphrase?: string;
  /** Expected host key as `SHA256:<base64>` (OpenSSH fingerprint); connections to another key fail. */
  readonly hostKeySha256?: string;
}

/** One remote command's result. */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Runs argument vectors on a target (the SSH executor, or a fake in tests). */
export interface CommandExecutor {
  run(
    target: SshTarget,
    argv: readonly string[],
    options: { readonly timeoutMs: number },
  ): Promise<CommandResult>;
}

/** `{added_keys, removed_keys, changed_keys, changes{k:{before, after}}}`. */
export interface StateDiff {
  readonly added_keys: readonly string[];
  readonly removed_keys: readonly string[];
  readonly changed_keys: readonly string[];
  readonly changes: Readonly<
    Record<string, { readonly before: string | null; readonly after: string | null }>
  >;
}

/** One executed phase. Output is capped; it may hold PHI, so scrub before it leaves the appliance. */
export interface ExecutedStep {
  readonly phase: RunbookPhase;
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly duration_ms: number;
  readonly ok: boolean;
}

/** Why a run failed. */
export type FailureType =
  | 'detect_error'
  | 'remediation_failed'
  | 'verification_failed'
  | 'verify_error'
  | 'timeout'
  | 'auth_failed'
  | 'connection_failed'
  | 'connection_lost'
  | 'error';

/** The runbook part of the execution telemetry; the daemon adds incident, site and appliance ids. */
export interface RunbookExecution {
  readonly runbook_id: string;
  readonly hostname: string;
  readonly check_type: string;
  /** Epoch ms. */
  readonly started_at: number;
  readonly completed_at: number;
  readonly duration_ms: number;
  readonly success: boolean;
  readonly status: 'success' | 'failure' | 'partial';
  /** `compliant`: nothing to do; `remediated`: fixed and verified; `failed` otherwise. */
  readonly outcome: 'compliant' | 'remediated' | 'failed';
  readonly drift_detail: string | null;
  /** null when verify did not run. */
  readonly verification_passed: boolean | null;
  readonly resolution_level: 'L1';
  readonly state_before: Readonly<Record<string, string>>;
  readonly state_after: Readonly<Record<string, string>>;
  readonly state_diff: StateDiff;
  readonly executed_steps: readonly ExecutedStep[];
  readonly error_message: string | null;
  readonly failure_type: FailureType | null;
}
