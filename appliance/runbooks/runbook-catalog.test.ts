import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getRunbook, RUNBOOKS } from './catalog/index.ts';
import { runRunbook } from './runbook-runner.ts';
import { DRIFTED_HOST, LOCAL_TARGET, localExecutor, makeSandbox } from './sandbox.test-helpers.ts';

// The catalogue's real scripts against a sandbox root, through the same `sh -c` quoting as SSH.
const opts = (root: string) => ({ executor: localExecutor, root, sudo: false });

describe('runbook catalogue', () => {
  it('has the documented runbooks with the protocol fields', () => {
    expect([...RUNBOOKS.keys()]).toEqual([
      'LIN-SSH-001',
      'LIN-SSH-002',
      'LIN-FW-001',
      'LIN-AUDIT-001',
      'LIN-KERN-001',
    ]);
    for (const r of RUNBOOKS.values()) {
      expect(r.timeout_s).toBe(60);
      expect(r.hipaa_controls.length).toBeGreaterThan(0);
    }
    expect(() => getRunbook('LIN-SSH-%')).toThrow(expect.objectContaining({ code: 'E_RUNBOOK_UNKNOWN' }));
  });

  it.each([...RUNBOOKS.keys()])('%s: drift → remediate → verify, then compliant', async (id) => {
    const box = makeSandbox(DRIFTED_HOST);
    const runbook = getRunbook(id);
    const first = await runRunbook(runbook, LOCAL_TARGET, opts(box.root));
    expect(first.executed_steps.map((s) => s.phase)).toEqual([
      'capture_before',
      'detect',
      'remediate',
      'verify',
      'capture_after',
    ]);
    expect(first).toMatchObject({
      outcome: 'remediated',
      status: 'success',
      success: true,
      verification_passed: true,
    });
    expect(first.drift_detail).toBeTruthy();
    expect(first.state_diff.changed_keys.length + first.state_diff.added_keys.length).toBeGreaterThan(0);
    const second = await runRunbook(runbook, LOCAL_TARGET, opts(box.root));
    expect(second).toMatchObject({ outcome: 'compliant', status: 'success', failure_type: null });
    expect(second.executed_steps.map((s) => s.phase)).toEqual(['capture_before', 'detect']);
  });

  it('LIN-SSH-001/002 rewrite sshd_config and disable drop-in overrides', async () => {
    const box = makeSandbox(DRIFTED_HOST);
    await runRunbook(getRunbook('LIN-SSH-001'), LOCAL_TARGET, opts(box.root));
    const r = await runRunbook(getRunbook('LIN-SSH-002'), LOCAL_TARGET, opts(box.root));
    expect(r.state_diff.changes.passwordauthentication).toEqual({ before: 'yes', after: 'no' });
    const main = box.read('etc/ssh/sshd_config');
    expect(main).toMatch(/^PermitRootLogin no$/m);
    expect(main).toMatch(/^PasswordAuthentication no$/m);
    expect(main).toMatch(/^Match User backup$/m);
    expect(box.read('etc/ssh/sshd_config.d/50-cloud-init.conf')).toBe(
      '# osiris disabled: PasswordAuthentication yes\n',
    );
    expect(box.read('etc/ssh/sshd_config.osiris.bak')).toBe(DRIFTED_HOST['etc/ssh/sshd_config']);
  });

  it('LIN-FW-001 installs the baseline and enables it at boot; LIN-KERN-001 fixes live values', async () => {
    const box = makeSandbox(DRIFTED_HOST);
    await runRunbook(getRunbook('LIN-FW-001'), LOCAL_TARGET, opts(box.root));
    expect(box.read('etc/nftables.conf')).toMatch(/hook input priority 0; policy drop;/);
    expect(readlinkSync(join(box.root, 'etc/systemd/system/sysinit.target.wants/nftables.service'))).toBe(
      '/lib/systemd/system/nftables.service',
    );
    const k = await runRunbook(getRunbook('LIN-KERN-001'), LOCAL_TARGET, opts(box.root));
    expect(k.state_diff.changes['net.ipv4.ip_forward']).toEqual({ before: '1', after: '0' });
    expect(box.read('proc/sys/net/ipv4/ip_forward')).toBe('0\n');
  });

  it('a missing sshd_config is drift, and remediation creates it', async () => {
    const box = makeSandbox({});
    const r = await runRunbook(getRunbook('LIN-SSH-001'), LOCAL_TARGET, opts(box.root));
    expect(r.drift_detail).toBe('sshd_config missing');
    expect(box.read('etc/ssh/sshd_config')).toBe('PermitRootLogin no\n');
  });
});
