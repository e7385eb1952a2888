// The image pieces stay in step with the daemon: the example config validates, and the unit runs the
// command the CLI really has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDaemonConfig } from '../appliance/daemon/config.ts';

describe('iso/', () => {
  it('the example appliance config passes the daemon’s strict validation', () => {
    const raw = JSON.parse(
      readFileSync(join(import.meta.dirname, 'etc/appliance.example.json'), 'utf8'),
    ) as unknown;
    const c = parseDaemonConfig(raw, '/etc/osiris');
    expect(c.siteId).toBe('clinic-42');
    expect(c.targets[0]?.sudo).toBe(true);
    expect(c.scanIntervalMs).toBe(900_000);
  });

  it('the systemd unit starts `osiris appliance start --config`, reloads with SIGHUP and does not restart on exit 2', () => {
    const unit = readFileSync(join(import.meta.dirname, 'systemd/osiris-appliance.service'), 'utf8');
    const exec = /^ExecStart=\/usr\/bin\/node \S+\/bin\/osiris\.js (appliance start) --config (\S+)$/m.exec(
      unit,
    );
    expect(exec?.[1]).toBe('appliance start');
    expect(exec?.[2]).toBe('/etc/osiris/appliance.json');
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });
});
