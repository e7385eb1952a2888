// The appliance daemon end to end with real parts: gRPC intake, OpenSSH on loopback holding a
// drifted sandbox, Automerge sync over the authenticated WebSocket to a real cloud on Postgres. The
// cloud is down while the appliance heals; it comes back and receives statistics and audit.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonConfig, parseDaemonConfig } from '../../appliance/daemon/config.ts';
import { type Daemon, startDaemon } from '../../appliance/daemon/daemon.ts';
import type { EvidenceRecord, EvidenceSink } from '../../appliance/evidence/sink.ts';
import { enroll } from '../../appliance/identity/enroll.ts';
import { TOKENS, event, intakeClient } from '../../appliance/intake/intake-client.test-helpers.ts';
import { DRIFTED_HOST, makeSandbox } from '../../appliance/runbooks/sandbox.test-helpers.ts';
import { type SshdHandle, startSshd } from '../../appliance/runbooks/sshd-harness.test-helpers.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import type { ExceptionsDoc, PatternStats } from '../../schemas/index.ts';
import { silentLogger } from '../../sync/log.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { type TcpProxy, startTcpProxy } from '../helpers/tcp-proxy.ts';

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The test's evidence sink: keeps what the runtime hands it. */
class MemorySink implements EvidenceSink {
  readonly records: EvidenceRecord[] = [];
  record(r: EvidenceRecord): Promise<void> {
    this.records.push(structuredClone(r));
    return Promise.resolve();
  }
}

describe('appliance daemon offline, then syncing (real gRPC, sshd, WebSocket, Postgres)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'appliance-e2e-'));
  const sink = new MemorySink();
  let db: TestDatabase;
  let sql: PgSqlClient;
  let cloud: CloudNode | undefined;
  let cloudPort: number;
  let link: TcpProxy;
  let sshd: SshdHandle;
  let daemon: Daemon;
  const web1 = makeSandbox(DRIFTED_HOST);
  const web2 = makeSandbox(DRIFTED_HOST);

  beforeAll(async () => {
    db = await createTestDatabase('appl');
    sql = new PgSqlClient(db.pool);
    cloud = await startCloud({ sql });
    cloudPort = cloud.port;
    await cloud.sync.registry.createPartner('p', 'P');
    await cloud.sync.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
    const dataDir = join(dir, 'data');
    await enroll(
      join(dataDir, 'identity.json'),
      cloud.url,
      await cloud.sync.registry.issueEnrollmentToken('s1'),
    );
    // The proxy and sshd take their ports while the cloud still holds its own: a port picked after the
    // cloud closed could be the cloud's, and the appliance would then dial sshd through the proxy
    // (sshd throttles such garbage connections from 127.0.0.1 — the runbook's SSH with them).
    link = await startTcpProxy(cloudPort);
    sshd = await startSshd();
    // The cloud goes away before the appliance's first start: it has never synced anything.
    await cloud.close();
    cloud = undefined;
    const keyPath = join(dir, 'id_ed25519');
    writeFileSync(keyPath, sshd.privateKey);
    chmodSync(keyPath, 0o600);
    const target = (hostname: string, root: string) => ({
      hostname,
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.username,
      privateKeyPath: keyPath,
      hostKeySha256: sshd.hostKeySha256,
      root,
      sudo: false,
    });
    const config: DaemonConfig = parseDaemonConfig(
      {
        dataDir: 'data',
        siteId: 's1',
        cloudUrl: `http://127.0.0.1:${link.port}`,
        phiKeyPath: 'data/phi.key',
        coalesceMs: 0,
        logLevel: 'warn',
        intake: { listen: '127.0.0.1:0', agents: Object.fromEntries(TOKENS) },
        admin: { listen: '127.0.0.1:0', token: 'admin-token-0123456789abcdef-0123456789' },
        targets: [target('web-1', web1.root), target('web-2', web2.root)],
      },
      dir,
    );
    daemon = await startDaemon(config, {
      evidence: sink,
      logger: silentLogger,
      syncBackoff: { baseMs: 20, capMs: 200 },
    });
  });
  afterAll(async () => {
    await daemon?.stop();
    await cloud?.close();
    await link?.close();
    await sshd?.stop();
    await db?.drop();
    for (const d of [dir, web1.root, web2.root]) rmSync(d, { recursive: true, force: true });
  });

  const admin = async (path: string) =>
    (await (
      await fetch(`http://127.0.0.1:${daemon.adminPort}${path}`, {
        headers: { authorization: 'Bearer admin-token-0123456789abcdef-0123456789' },
      })
    ).json()) as Record<string, unknown>;

  const drift = (host: string, id: string, extra: Record<string, unknown> = {}) => {
    const c = intakeClient(daemon.intakePort);
    return c
      .unary<{ accepted: boolean; event_id: string }>(
        'ReportDriftOne',
        event({
          event_id: id,
          hostname: host,
          check_type: 'linux_ssh_config',
          expected: 'PermitRootLogin no',
          actual: 'PermitRootLogin yes; contact jane.doe@example.com',
          hipaa_control: '164.312(a)(1)',
          ...extra,
        }),
      )
      .finally(() => c.close());
  };

  it('cloud down: a gRPC drift event is healed over SSH, verified and recorded; the cloud returns and projects it', async () => {
    expect((await admin('/status')).sync).toMatchObject({ connected: false });
    const ack = await drift('web-1', 'ev-1');
    expect(ack).toMatchObject({ accepted: true, event_id: 'ev-1' });

    // The real target was fixed (through sshd, in its sandbox root) and verify passed. (What the
    // runtime recorded is checked first: on a failure it says why the heal did not happen.)
    const ev = sink.records.find((r) => r.kind === 'runbook_execution');
    expect(ev ?? sink.records).toMatchObject({ outcome: 'healed' });
    expect(readFileSync(join(web1.root, 'etc/ssh/sshd_config'), 'utf8')).toMatch(/^PermitRootLogin no$/m);
    expect(ev).toMatchObject({
      hostId: 'web-1',
      checkType: 'linux_ssh_config',
      outcome: 'healed',
      ruleId: 'L1-SSH-001',
      runbookId: 'LIN-SSH-001',
      stateBefore: { permitrootlogin: 'yes' },
      stateAfter: { permitrootlogin: 'no' },
      detail: { verification_passed: true },
    });
    expect(JSON.stringify(sink.records)).not.toContain('jane.doe@example.com');
    const incidents = (await admin('/incidents?limit=5')).incidents as { disposition: string }[];
    expect(incidents[0]).toMatchObject({ disposition: 'healed', ruleId: 'L1-SSH-001' });

    // Statistics and audit went through the journal into the appliance's documents.
    await daemon.sync.flush();
    const stats = daemon.sync.open(daemon.sync.statsDocId).doc() as PatternStats;
    const pattern = Object.values(stats.patterns)[0];
    expect(pattern).toMatchObject({ total_occurrences: 1, l1_resolutions: 1, success_count: 1 });
    expect(stats.rule_outcomes['run_runbook:LIN-SSH-001:L1-SSH-001']).toMatchObject({ success: 1 });
    const status = await admin('/status');
    expect(status).toMatchObject({ sync: { connected: false }, journal: { backlog: 0 } });
    expect(status.runtime).toMatchObject({ healed: 1, ruleBookFallback: true });

    // The cloud comes back on its address: documents sync and the projection gets the rows.
    cloud = await startCloud({ sql, port: cloudPort });
    const c = cloud;
    await until(async () => {
      await c.sync.projectionIdle();
      const r = await sql.query<{ n: string; l1: string; ok: string }>(
        'select total_occurrences::text n, l1_resolutions::text l1, success_count::text ok from pattern_stats where appliance_id = $1',
        [daemon.applianceId],
      );
      return r.rows[0]?.n === '1' && r.rows[0].l1 === '1' && r.rows[0].ok === '1';
    }, 'stats projected');
    // The AuditTrail is its own document: it may land a moment after the statistics.
    let audit: { action: string; outcome: string; target: string }[] = [];
    await until(async () => {
      await c.sync.projectionIdle();
      audit = (
        await sql.query<{ action: string; outcome: string; target: string }>(
          'select action, outcome, target from audit_events where appliance_id = $1',
          [daemon.applianceId],
        )
      ).rows;
      return audit.length > 0;
    }, 'audit projected');
    expect(audit).toEqual([{ action: 'run_runbook:LIN-SSH-001', outcome: 'success', target: 'web-1' }]);
    await until(() => daemon.client?.isReady() === true, 'link up');
    expect(await admin('/status')).toMatchObject({ sync: { connected: true } });
    // The site's own RuleBook arrived: the built-in fallback is over.
    await until(() => daemon.runtime.stats().ruleBookFallback === false, 'rule book synced');
  });

  it('an exception approved in the cloud while the appliance is offline stops healing once it syncs', async () => {
    const c = cloud as CloudNode;
    link.cut();
    await until(() => daemon.client?.isReady() === false, 'appliance offline');
    const now = Date.now();
    await c.sync.editSiteDoc<ExceptionsDoc>('s1', 'exceptions', 'partner:alice', 'exception.approve', (d) => {
      d.exceptions['EXC-0123456789AB'] = {
        id: 'EXC-0123456789AB',
        scope: 'check',
        item_id: 'linux_ssh_config',
        reason: 'vendor appliance needs root login until March',
        compensating_control: 'jump host only',
        action: 'skip_remediation',
        starts_at: now - 60_000,
        expires_at: now + 30 * 86_400_000,
        requested_by: 'client:bob',
        requested_at: now - 120_000,
        approved_by: 'partner:alice',
        approved_at: now - 60_000,
        approval_tier: 'partner',
        status: 'active',
        history: [],
      };
    });

    // Offline the appliance does not know yet: it heals web-2.
    await drift('web-2', 'ev-2');
    expect(readFileSync(join(web2.root, 'etc/ssh/sshd_config'), 'utf8')).toMatch(/^PermitRootLogin no$/m);

    link.heal();
    await until(
      () => Object.keys((daemon.sync.exceptions().doc() as ExceptionsDoc).exceptions).length === 1,
      'exception synced to the appliance',
    );
    writeFileSync(join(web1.root, 'etc/ssh/sshd_config'), 'PermitRootLogin yes\n');
    const before = sink.records.length;
    await drift('web-1', 'ev-3');
    expect(readFileSync(join(web1.root, 'etc/ssh/sshd_config'), 'utf8')).toBe('PermitRootLogin yes\n');
    expect(sink.records.slice(before)).toEqual([
      expect.objectContaining({
        hostId: 'web-1',
        outcome: 'suppressed',
        detail: expect.objectContaining({ exception_id: 'EXC-0123456789AB' }),
      }),
    ]);
    const incidents = (await admin('/incidents?limit=1')).incidents as unknown[];
    expect(incidents[0]).toMatchObject({ disposition: 'suppressed', exceptionId: 'EXC-0123456789AB' });
    await daemon.sync.flush();
    await until(async () => {
      await c.sync.projectionIdle();
      const r = await sql.query<{ outcome: string }>(
        "select outcome from audit_events where appliance_id = $1 and action = 'suppress'",
        [daemon.applianceId],
      );
      return r.rows[0]?.outcome === 'skipped';
    }, 'suppression projected');
  });
});
