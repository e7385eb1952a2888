// Local scans: the appliance runs each runbook's detect step on its Linux targets over SSH and turns
// the verdicts into the same DriftEvents the gRPC intake delivers, so healing, statistics, audit and
// evidence follow one path. Runs on an interval and on demand; never throws.
import { type Logger, silentLogger } from '../../sync/log.ts';
import type { DriftEvent } from '../intake/index.ts';
import { type CommandExecutor, RUNBOOKS, type Runbook, parseDetect } from '../runbooks/index.ts';
import type { HealTarget } from './targets.ts';

export const LOCAL_SCAN_AGENT = 'local-scan';

/** Detects every runbook's check on one target; one event per check that gave a verdict. */
export async function scanTarget(
  hostname: string,
  target: HealTarget,
  executor: CommandExecutor,
  o: { runbooks?: readonly Runbook[]; now?: () => number; logger?: Logger } = {},
): Promise<DriftEvent[]> {
  const now = o.now ?? Date.now;
  const log = o.logger ?? silentLogger;
  const events: DriftEvent[] = [];
  for (const rb of o.runbooks ?? [...RUNBOOKS.values()]) {
    const sudo = target.sudo ?? (rb.sudo && target.ssh.username !== 'root');
    const argv = [
      ...(sudo ? ['sudo', '-n', '--'] : []),
      'sh',
      '-c',
      rb.detect,
      `osiris-${rb.id}`,
      target.root,
    ];
    let verdict;
    try {
      verdict = parseDetect(await executor.run(target.ssh, argv, { timeoutMs: rb.timeout_s * 1000 }));
    } catch (e) {
      log.warn({ host: hostname, runbook: rb.id, err: (e as Error).message }, 'scan: detect failed');
      continue;
    }
    if (verdict.kind !== 'compliant' && verdict.kind !== 'drift') {
      log.warn({ host: hostname, runbook: rb.id, verdict }, 'scan: no verdict');
      continue;
    }
    const at = now();
    events.push({
      event_id: `scan-${rb.id}-${at}`,
      agent_id: LOCAL_SCAN_AGENT,
      hostname,
      check_type: rb.check_type,
      agent_check_type: rb.check_type,
      passed: verdict.kind === 'compliant',
      expected: 'COMPLIANT',
      actual: verdict.kind === 'drift' ? verdict.detail : 'COMPLIANT',
      hipaa_control: rb.hipaa_controls[0] ?? '',
      timestamp: at,
      severity: rb.severity,
      metadata: { source: LOCAL_SCAN_AGENT, runbook: rb.id },
      received_at: at,
    });
  }
  return events;
}

export interface Scanner {
  /** Scans every target now (coalesced with a scan already running); resolves when handled. */
  scanOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Scans all targets every `intervalMs` (0 = only on demand) and hands the events to `handle`. */
export function startScanner(o: {
  targets: () => ReadonlyMap<string, HealTarget>;
  executor: CommandExecutor;
  handle: (events: readonly DriftEvent[]) => Promise<unknown>;
  intervalMs: number;
  logger?: Logger;
  runbooks?: readonly Runbook[];
}): Scanner {
  const log = o.logger ?? silentLogger;
  let running: Promise<number> | undefined;
  let stopped = false;
  const once = async (): Promise<number> => {
    let n = 0;
    await Promise.all(
      [...o.targets()].map(async ([hostname, target]) => {
        const events = await scanTarget(hostname, target, o.executor, {
          logger: log,
          ...(o.runbooks ? { runbooks: o.runbooks } : {}),
        });
        if (stopped || events.length === 0) return;
        n += events.length;
        try {
          await o.handle(events);
        } catch (e) {
          log.warn({ host: hostname, err: (e as Error).message }, 'scan: events not handled');
        }
      }),
    );
    log.info({ events: n }, 'local scan finished');
    return n;
  };
  const scanOnce = () => {
    if (stopped) return Promise.resolve(0);
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = o.intervalMs > 0 ? setInterval(() => void scanOnce(), o.intervalMs) : undefined;
  timer?.unref();
  return {
    scanOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
