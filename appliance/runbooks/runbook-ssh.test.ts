// Runbooks over a REAL OpenSSH server on loopback (sshd started by the test, state in a temp dir).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getRunbook } from './catalog/index.ts';
import { HOSTILE } from './hostile-strings.test-helpers.ts';
import { runRunbook } from './runbook-runner.ts';
import { DRIFTED_HOST, makeSandbox } from './sandbox.test-helpers.ts';
import { SshExecutor } from './ssh-executor.ts';
import { SshConnectionPool } from './ssh-pool.ts';
import { type ProxyHandle, type SshdHandle, startProxy, startSshd } from './sshd-harness.test-helpers.ts';
import type { Runbook } from './types.ts';

let sshd: SshdHandle;
let proxy: ProxyHandle;
let pool: SshConnectionPool;
let executor: SshExecutor;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});
const setup = async () => {
  proxy = await startProxy(sshd.port);
  pool = new SshConnectionPool({ retryDelayMs: 10 });
  executor = new SshExecutor(pool);
};
afterEach(async () => {
  pool.close();
  await proxy.close();
});

const LIN_SSH_001 = getRunbook('LIN-SSH-001');
const run = (runbook: Runbook, root: string) =>
  runRunbook(runbook, sshd.target(proxy.port), { executor, root, sudo: false });

/** Resolves once path exists (polled on an interval; the condition, not a guessed delay). */
async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runbooks over real sshd', () => {
  it('drift → remediate → verify changes the file on disk; the pooled connection is reused', async () => {
    await setup();
    const box = makeSandbox(DRIFTED_HOST);
    const r = await run(LIN_SSH_001, box.root);
    expect(r).toMatchObject({
      outcome: 'remediated',
      status: 'success',
      verification_passed: true,
      failure_type: null,
    });
    expect(r.drift_detail).toBe('PermitRootLogin=yes');
    expect(r.state_before.permitrootlogin).toBe('yes');
    expect(r.state_after.permitrootlogin).toBe('no');
    expect(r.state_diff.changed_keys).toContain('permitrootlogin');
    expect(readFileSync(join(box.root, 'etc/ssh/sshd_config'), 'utf8')).toMatch(/^PermitRootLogin no$/m);
    const again = await run(LIN_SSH_001, box.root);
    expect(again.outcome).toBe('compliant');
    expect(proxy.connections()).toBe(1);
  });

  it('a compliant target stops after detect', async () => {
    await setup();
    const box = makeSandbox({ 'etc/ssh/sshd_config': 'PermitRootLogin no\n' });
    const r = await run(LIN_SSH_001, box.root);
    expect(r.outcome).toBe('compliant');
    expect(r.executed_steps.map((s) => s.phase)).toEqual(['capture_before', 'detect']);
    expect(r.state_diff).toEqual({ added_keys: [], removed_keys: [], changed_keys: [], changes: {} });
  });

  it('a verify failure is reported (remediation that changed nothing)', async () => {
    await setup();
    const box = makeSandbox(DRIFTED_HOST);
    const r = await run({ ...LIN_SSH_001, remediate: 'echo REMEDIATED' }, box.root);
    expect(r).toMatchObject({
      success: false,
      status: 'failure',
      failure_type: 'verification_failed',
      verification_passed: false,
    });
    expect(r.error_message).toContain('PermitRootLogin=yes');
  });

  it('a failing remediate stops the run before verify', async () => {
    await setup();
    const box = makeSandbox(DRIFTED_HOST);
    const r = await run({ ...LIN_SSH_001, remediate: 'echo broken >&2; exit 3' }, box.root);
    expect(r).toMatchObject({
      failure_type: 'remediation_failed',
      status: 'failure',
      verification_passed: null,
    });
    expect(r.executed_steps.map((s) => s.phase)).toEqual([
      'capture_before',
      'detect',
      'remediate',
      'capture_after',
    ]);
    expect(r.executed_steps[2]).toMatchObject({ exit_code: 3, stderr: 'broken\n', ok: false });
  });

  it('an auth failure is not retried and leaves nothing pooled', async () => {
    await setup();
    const box = makeSandbox(DRIFTED_HOST);
    const r = await runRunbook(LIN_SSH_001, sshd.target(proxy.port, sshd.wrongKey), {
      executor,
      root: box.root,
      sudo: false,
    });
    expect(r).toMatchObject({ success: false, failure_type: 'auth_failed' });
    expect(proxy.connections()).toBe(1);
    expect(pool.size).toBe(0);
    expect(readFileSync(join(box.root, 'etc/ssh/sshd_config'), 'utf8')).toBe(
      DRIFTED_HOST['etc/ssh/sshd_config'],
    );
  });

  it('a wrong host key is refused', async () => {
    await setup();
    const target = { ...sshd.target(proxy.port), hostKeySha256: 'SHA256:AAAA' };
    await expect(executor.run(target, ['true'], { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'E_RUNBOOK_SSH_HOST_KEY',
    });
  });

  it('a connection failure (not auth) is retried once', async () => {
    await setup();
    const dead = await startProxy(1); // nothing listens on port 1: every upstream connect fails
    try {
      await expect(executor.run(sshd.target(dead.port), ['true'], { timeoutMs: 5000 })).rejects.toMatchObject(
        {
          code: 'E_RUNBOOK_SSH_CONNECT',
        },
      );
      expect(dead.connections()).toBe(2);
    } finally {
      await dead.close();
    }
  });

  it('a connection dropped mid-run invalidates the pool; the next run reconnects', async () => {
    await setup();
    const box = makeSandbox(DRIFTED_HOST);
    const marker = join(box.root, 'detect-started');
    const slow = { ...LIN_SSH_001, detect: `touch "$1/detect-started"; sleep 30; echo COMPLIANT` };
    const running = run(slow, box.root);
    await waitForFile(marker);
    proxy.dropAll();
    const r = await running;
    expect(r).toMatchObject({ success: false, failure_type: 'connection_lost' });
    expect(pool.size).toBe(0);
    const next = await run(LIN_SSH_001, box.root);
    expect(next.outcome).toBe('remediated');
    expect(proxy.connections()).toBe(2);
  });

  it('a phase that exceeds its timeout fails with timeout and the connection stays usable', async () => {
    await setup();
    const box = makeSandbox(DRIFTED_HOST);
    const t = Date.now();
    const r = await run({ ...LIN_SSH_001, timeout_s: 0.5, detect: 'sleep 30; echo COMPLIANT' }, box.root);
    expect(r).toMatchObject({ success: false, failure_type: 'timeout' });
    expect(Date.now() - t).toBeLessThan(5000);
    expect((await run(LIN_SSH_001, box.root)).outcome).toBe('remediated');
    expect(proxy.connections()).toBe(1);
  });

  it('hostile arguments arrive verbatim through the remote login shell', async () => {
    await setup();
    // One command carrying every hostile string as its own argument, NUL-separated on the way back.
    const r = await executor.run(sshd.target(proxy.port), ['printf', '%s\\0', ...HOSTILE], {
      timeoutMs: 5000,
    });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
  });
});
