// The daemon as a process (`osiris appliance start`) and its local admin API, with real sockets.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDaemonConfig } from '../../appliance/daemon/config.ts';
import { type Daemon, startDaemon } from '../../appliance/daemon/daemon.ts';
import type { EvidenceRecord, EvidenceSink } from '../../appliance/evidence/sink.ts';
import { TOKENS, auth, event, intakeClient } from '../../appliance/intake/intake-client.test-helpers.ts';
import { type SiteSettings, parseDocument } from '../../schemas/index.ts';
import { silentLogger } from '../../sync/log.ts';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef-0123456789';
const root = mkdtempSync(join(tmpdir(), 'appliance-daemon-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function baseConfig(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir: join(root, name, 'data'),
    siteId: 's1',
    cloudUrl: 'http://127.0.0.1:9',
    phiKeyPath: join(root, name, 'phi.key'),
    intake: { listen: '127.0.0.1:0', agents: { 'agent-1': TOKENS.get('agent-1') } },
    admin: { listen: '127.0.0.1:0', token: ADMIN_TOKEN },
    ...over,
  };
}

function writeConfig(name: string, content: unknown): string {
  const path = join(root, `${name}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Proc {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  stderr: string;
  waitFor(pred: (l: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  exit: Promise<{ code: number | null; ms: number }>;
}

function osiris(args: string[]): Proc {
  const child = spawn(process.execPath, ['bin/osiris.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  const proc: Proc = {
    child,
    lines,
    stderr: '',
    waitFor(pred, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no such log line; saw ${JSON.stringify(lines)}`)),
          ms,
        );
        const check = () => {
          const hit = lines.find(pred);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
        check();
      });
    },
    exit: new Promise((resolve) => {
      let since = 0;
      child.on('exit', (code) => resolve({ code, ms: since ? Date.now() - since : 0 }));
      const kill = child.kill.bind(child);
      child.kill = (s?: NodeJS.Signals | number) => {
        since = Date.now();
        return kill(s);
      };
    }),
  };
  child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      // Every stdout line must be JSON (systemd/journald friendly).
      lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of [...waiters]) w();
    }
  });
  child.stderr?.on('data', (c: Buffer) => (proc.stderr += c.toString()));
  return proc;
}

describe('osiris appliance start (a real process)', () => {
  it('a bad config exits 2 with a coded error', async () => {
    const cases: [string, string][] = [
      [join(root, 'missing.json'), 'E_DAEMON_CONFIG_UNREADABLE'],
      [writeConfig('not-json', '{"siteId": '), 'E_DAEMON_CONFIG_JSON'],
      [
        writeConfig('invalid', baseConfig('x', { siteId: 5, admin: { token: 'short' } })),
        'E_DAEMON_CONFIG_INVALID',
      ],
      [
        writeConfig(
          'no-key',
          baseConfig('nokey', {
            targets: [
              {
                hostname: 'web-1',
                host: '127.0.0.1',
                user: 'osiris',
                privateKeyPath: 'no/such/key',
                hostKeySha256: `SHA256:${'A'.repeat(43)}`,
              },
            ],
          }),
        ),
        'E_DAEMON_KEY_UNREADABLE',
      ],
    ];
    for (const [path, code] of cases) {
      const p = osiris(['appliance', 'start', '--config', path]);
      expect((await p.exit).code).toBe(2);
      expect(p.stderr).toContain(code);
      expect(p.lines[0]).toMatchObject({ level: 60, code });
    }
    const invalid = osiris(['appliance', 'start', '--config', join(root, 'invalid.json')]);
    await invalid.exit;
    expect(invalid.stderr).toMatch(/siteId: .*admin\.token: at least 32/);
  });

  it('a good config logs JSON, answers /status, reloads tokens on SIGHUP, and exits 0 quickly on SIGTERM', async () => {
    const config = baseConfig('proc');
    const path = writeConfig('proc', config);
    const p = osiris(['appliance', 'start', '--config', path]);
    try {
      const started = await p.waitFor((l) => l.msg === 'appliance started');
      const res = await fetch(`http://127.0.0.1:${String(started.adminPort)}/status`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        siteId: 's1',
        enrolled: false,
        sync: { state: 'standalone', connected: false },
        journal: { backlog: 0 },
      });

      // agent-2 is unknown until the config names it and the daemon gets SIGHUP.
      const client = intakeClient(Number(started.intakePort));
      const ev = event({ agent_id: 'agent-2', event_id: 'p-1', check_type: 'linux_open_ports' });
      await expect(client.unary('ReportDriftOne', ev, auth(TOKENS.get('agent-2')))).rejects.toMatchObject({
        code: 16,
      });
      writeConfig('proc', {
        ...config,
        logLevel: 'debug',
        intake: { listen: '127.0.0.1:0', agents: Object.fromEntries(TOKENS) },
      });
      p.child.kill('SIGHUP');
      await p.waitFor((l) => l.msg === 'config reloaded');
      await expect(client.unary('ReportDriftOne', ev, auth(TOKENS.get('agent-2')))).resolves.toMatchObject({
        accepted: true,
      });
      client.close();
      // The new log level reached the components: the journal's coalescing is logged at debug.
      await p.waitFor((l) => l.level === 20 && l.component === 'sync');
    } finally {
      p.child.kill('SIGTERM');
    }
    const { code, ms } = await p.exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(p.lines.some((l) => l.msg === 'appliance stopped')).toBe(true);
  });
});

class MemorySink implements EvidenceSink {
  readonly records: EvidenceRecord[] = [];
  record(r: EvidenceRecord): Promise<void> {
    this.records.push(r);
    return Promise.resolve();
  }
}

describe('local admin API and runtime decisions (in-process daemon, standalone)', () => {
  let daemon: Daemon;
  const sink = new MemorySink();
  beforeAll(async () => {
    daemon = await startDaemon(parseDaemonConfig(baseConfig('admin', { coalesceMs: 0 }), root), {
      evidence: sink,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await daemon.stop();
  });

  const call = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const token = init.token === undefined ? ADMIN_TOKEN : init.token;
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    return fetch(`http://127.0.0.1:${daemon.adminPort}${path}`, { ...init, headers });
  };
  const post = (body: string, type = 'application/json') =>
    call('/settings', { method: 'POST', body, headers: { 'content-type': type } });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('refuses requests without the right bearer token', async () => {
    for (const token of [null, 'wrong', `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
      const res = await call('/status', { token });
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('E_ADMIN_UNAUTHORIZED');
    }
    const basic = await call('/status', { token: null, headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expect(basic.status).toBe(401);
    expect(await post('{"notes":"x"}', 'application/json').then((r) => r.status)).not.toBe(401);
  });

  it('answers bad input with coded 4xx and keeps serving', async () => {
    expect(await code(await post('{"notes": '))).toBe('E_ADMIN_BAD_JSON');
    const media = await post('notes=x', 'text/plain');
    expect([media.status, await code(media)]).toEqual([415, 'E_ADMIN_UNSUPPORTED_MEDIA']);
    const big = await post(JSON.stringify({ notes: 'x'.repeat(70_000) }));
    expect([big.status, await code(big)]).toEqual([413, 'E_ADMIN_BODY_TOO_LARGE']);
    const unknown = await post(JSON.stringify({ healing_tier: 'turbo', extra: 1 }));
    expect([unknown.status, await code(unknown)]).toEqual([400, 'E_INVALID_INPUT']);
    for (const body of ['null', '[]', '"x"', '{"__proto__": {"x": 1}}'])
      expect((await post(body)).status).toBe(400);
    const critical = await post(JSON.stringify({ checks: { firewall_status: { enabled: false } } }));
    expect([critical.status, await code(critical)]).toEqual([422, 'E_SETTINGS_PATCH_INVALID']);
    for (const q of ['abc', '0', '501', '-1', '1.5']) {
      const res = await call(`/incidents?limit=${q}`);
      expect([res.status, await code(res)]).toEqual([400, 'E_ADMIN_BAD_QUERY']);
    }
    expect((await call('/nope')).status).toBe(404);
    expect((await call('/status')).status).toBe(200);
  });

  it('edits the site settings locally (validated) and audits the edit', async () => {
    const res = await call('/settings', {
      method: 'POST',
      body: JSON.stringify({ healing_tier: 'full_coverage', notes: 'edited during the outage' }),
      headers: { 'content-type': 'application/json', 'x-osiris-admin': 'clinic-admin' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { heads: string[] }).heads.length).toBeGreaterThan(0);
    const s = daemon.sync.settings().doc() as SiteSettings;
    expect([s.healing_tier, s.notes]).toEqual(['full_coverage', 'edited during the outage']);
    await daemon.sync.flush();
    // Entries are stored as encoded scalars; readers go through the schema.
    const audit = parseDocument('audit_trail', daemon.sync.open(daemon.sync.auditDocId(Date.now())).doc());
    expect(Object.values(audit.entries)).toContainEqual(
      expect.objectContaining({ actor: 'admin:clinic-admin', action: 'settings.update' }),
    );
  });

  it('escalates to L3 without a rule or SSH target, and hands endpoint actions back to the agent', async () => {
    const c = intakeClient(daemon.intakePort);
    try {
      await c.unary('ReportDriftOne', event({ event_id: 'r-1', check_type: 'linux_open_ports' }));
      await c.unary('ReportDriftOne', event({ event_id: 'r-2', check_type: 'linux_audit_logging' }));
      const ack = await c.unary<{ heal: { action: string; params: Record<string, string> } | null }>(
        'ReportDriftOne',
        event({ event_id: 'r-3', check_type: 'defender' }),
      );
      expect(ack.heal).toMatchObject({ action: 'restart_service', params: { service: 'WinDefend' } });
      // A resent event is acknowledged but not handled twice.
      await c.unary('ReportDriftOne', event({ event_id: 'r-3', check_type: 'defender' }));
    } finally {
      c.close();
    }
    const incidents = daemon.runtime.recent(3);
    expect(incidents.map((i) => [i.checkType, i.disposition, i.reason])).toEqual([
      ['windows_defender', 'dispatched', 'heal command sent to the agent'],
      ['linux_audit_logging', 'escalated', 'no SSH target configured for ws-frontdesk-01'],
      ['linux_open_ports', 'escalated', 'no matching L1 rule'],
    ]);
    expect(sink.records.filter((r) => r.outcome === 'escalated')).toHaveLength(2);
    await daemon.sync.flush();
    const stats = daemon.sync.open(daemon.sync.statsDocId).doc() as {
      patterns: Record<string, { check_type: string; l3_resolutions: number; total_occurrences: number }>;
    };
    const byCheck = Object.fromEntries(Object.values(stats.patterns).map((p) => [p.check_type, p]));
    expect(byCheck.linux_open_ports).toMatchObject({ total_occurrences: 1, l3_resolutions: 1 });
    expect(byCheck.windows_defender).toMatchObject({ total_occurrences: 1, l3_resolutions: 0 });
  });
});
