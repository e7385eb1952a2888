/** SSH runbooks public API. */
export type * from './types.ts';
export { getRunbook, RUNBOOKS } from './catalog/index.ts';
export { runRunbook, type RunOptions } from './runbook-runner.ts';
export { parseDetect, parseRemediate, parseVerify, type PhaseVerdict } from './runbook-protocol.ts';
export { SshConnectionPool, hostKeyFingerprint, targetKey, type SshPoolOptions } from './ssh-pool.ts';
export { SshExecutor, MAX_OUTPUT_BYTES } from './ssh-executor.ts';
export { buildCommand, shellQuote } from './shell-quote.ts';
export { diffState, parseState } from './state-diff.ts';
export { runbookErrors } from './runbook-errors.ts';
