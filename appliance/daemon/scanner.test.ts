// Local scans over a REAL sshd on loopback: drifted checks come back as failed DriftEvents shaped
// like the agents' events; after healing, a rescan reports them compliant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftEvent } from '../intake/index.ts';
import { RUNBOOKS, runRunbook } from '../runbooks/index.ts';
import { DRIFTED_HOST, makeSandbox } from '../runbooks/sandbox.test-helpers.ts';
import { SshExecutor } from '../runbooks/ssh-executor.ts';
import { SshConnectionPool } from '../runbooks/ssh-pool.ts';
import { type SshdHandle, startSshd } from '../runbooks/sshd-harness.test-helpers.ts';
import { LOCAL_SCAN_AGENT, scanTarget, startScanner } from './scanner.ts';
import type { HealTarget } from './targets.ts';

let sshd: SshdHandle;
let pool: SshConnectionPool;
beforeAll(async () => {
  sshd = await startSshd();
  pool = new SshConnectionPool({ retryDelayMs: 10 });
});
afterAll(async () => {
  pool?.close();
  await sshd?.stop();
});

describe('local scans over real sshd', () => {
  it('reports drifted checks as failed events, and compliant ones as passed after a heal', async () => {
    const box = makeSandbox(DRIFTED_HOST);
    const target: HealTarget = { ssh: sshd.target(), root: box.root, sudo: false };
    const executor = new SshExecutor(pool);
    const events = await scanTarget('web-1', target, executor);
    const ssh = events.find((e) => e.check_type === RUNBOOKS.get('LIN-SSH-001')?.check_type);
    expect(ssh).toMatchObject({
      agent_id: LOCAL_SCAN_AGENT,
      hostname: 'web-1',
      passed: false,
      actual: 'PermitRootLogin=yes',
    });
    expect(events.filter((e) => !e.passed).length).toBeGreaterThanOrEqual(3);
    const heal = await runRunbook(RUNBOOKS.get('LIN-SSH-001')!, target.ssh, {
      executor,
      root: box.root,
      sudo: false,
    });
    expect(heal.outcome).toBe('remediated');
    const again = await scanTarget('web-1', target, executor);
    expect(again.find((e) => e.check_type === ssh?.check_type)?.passed).toBe(true);
  });

  it('the scanner hands every target’s events to the runtime, coalescing overlapping scans; an unreachable target is skipped', async () => {
    const box = makeSandbox(DRIFTED_HOST);
    const targets = new Map<string, HealTarget>([
      ['web-1', { ssh: sshd.target(), root: box.root, sudo: false }],
      ['gone', { ssh: { ...sshd.target(), port: 1 }, root: box.root, sudo: false }],
    ]);
    const handled: DriftEvent[] = [];
    const scanner = startScanner({
      targets: () => targets,
      executor: new SshExecutor(pool),
      handle: async (evs) => void handled.push(...evs),
      intervalMs: 0,
    });
    const [a, b] = await Promise.all([scanner.scanOnce(), scanner.scanOnce()]);
    expect(a).toBe(b);
    expect(a).toBe(RUNBOOKS.size);
    expect(new Set(handled.map((e) => e.hostname))).toEqual(new Set(['web-1']));
    await scanner.stop();
    expect(await scanner.scanOnce()).toBe(0);
  });
});
