// `osiris demo` (what `npm start` runs): the whole stack on embedded PGlite, on one machine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceOutbox } from '../appliance/evidence/outbox.ts';
import { enroll } from '../appliance/identity/enroll.ts';
import { loadOrCreateIdentity } from '../appliance/identity/identity.ts';
import { ApplianceSync } from '../appliance/sync/appliance-sync.ts';
import { WsClientAdapter } from '../sync/net/ws-client-adapter.ts';
import { startCloud } from '../cloud/cloud-node.ts';
import { portalMount, seedDemo } from '../portal/index.ts';
import { runFlywheel } from '../cloud/flywheel/flywheel.ts';
import type { RuleBook } from '../schemas/index.ts';
import { patternSignature } from '../schemas/index.ts';
import { createLogger } from '../sync/log.ts';
import { SqliteStorageAdapter } from '../sync/storage/sqlite-storage-adapter.ts';
import { Rng } from '../test/simulator/rng.ts';
import { intOption, stringOption, waitForSignal } from './cli-util.ts';
import type { CommandContext } from './commands.ts';

const CHECKS = ['firewall_status', 'linux_ssh_config', 'linux_audit_logging', 'windows_defender'];

export async function run(ctx: CommandContext): Promise<number> {
  const dataDir = stringOption(ctx.values.data) ?? './data/demo';
  const count = intOption(ctx.values.appliances, 3);
  mkdirSync(dataDir, { recursive: true });
  const logger = createLogger('demo', { level: process.env.LOG_LEVEL ?? 'warn' });
  process.stdout.write(
    `Starting Osiris demo (embedded PGlite under ${dataDir}/cloud-db; first start takes a few seconds)…\n`,
  );
  const portal = portalMount();
  const cloud = await startCloud({
    mount: [portal.mount],
    port: intOption(ctx.values.port, Number(process.env.PORT ?? 8080)),
    dataDir: `${dataDir}/cloud-db`,
    logger,
  });
  const sync = cloud.sync;
  // Partner, two clients with a site each (clinic-1 gets the appliances), and portal logins.
  const logins = await seedDemo(cloud.sql, sync);
  const web = portal.attach({ sql: cloud.sql, sync, evidence: cloud.evidence, logger, secureCookies: false });
  const appliances: ApplianceSync[] = [];
  const outboxes: EvidenceOutbox[] = [];
  const wsUrl = `${cloud.url.replace('http', 'ws')}/sync`;
  for (let i = 0; i < count; i++) {
    // Each appliance: its own Ed25519 key (file, 0600), enrolled over HTTP with a one-time token,
    // syncing over the authenticated WebSocket — exactly as a real appliance does.
    const dir = join(dataDir, `appliance-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const identityPath = join(dir, 'identity.json');
    let id = loadOrCreateIdentity(identityPath);
    if (!id.enrollment) {
      await enroll(identityPath, cloud.url, await sync.registry.issueEnrollmentToken('clinic-1'));
      id = loadOrCreateIdentity(identityPath);
    }
    const applianceId = id.enrollment?.applianceId as string;
    // Signed, hash-chained evidence of every check (shown and verifiable on the portal's Evidence page).
    outboxes.push(
      new EvidenceOutbox({
        path: join(dir, 'evidence.db'),
        siteId: 'clinic-1',
        applianceId,
        secretKey: id.secretKey,
      }),
    );
    appliances.push(
      await ApplianceSync.start({
        siteId: 'clinic-1',
        applianceId,
        storage: new SqliteStorageAdapter(join(dir, 'docs.db')),
        network: [new WsClientAdapter({ url: wsUrl, secretKey: id.secretKey, logger })],
        journalPath: join(dir, 'journal.db'),
        coalesceMs: 1000,
        logger,
      }),
    );
  }
  const rng = new Rng(Date.now() & 0xffff);
  let draining: Promise<unknown> | undefined;
  const workload = setInterval(() => {
    for (const [i, a] of appliances.entries()) {
      const check = rng.pick(CHECKS);
      const healed = rng.chance(0.3);
      void outboxes[i]
        ?.record({
          kind: healed ? 'runbook_execution' : 'check_result',
          hostId: `ws-${rng.int(1, 6)}`,
          checkType: check,
          outcome: healed ? 'healed' : rng.chance(0.9) ? 'pass' : 'fail',
          observedAt: new Date().toISOString(),
          ...(healed
            ? { runbookId: 'LIN-FW-001', stateBefore: { ok: false }, stateAfter: { ok: true } }
            : {}),
        })
        .catch((e: unknown) => logger.error({ err: e }, 'evidence record failed'));
      a.record([
        {
          signature: patternSignature({ incidentType: 'drift', checkType: check }),
          incidentType: 'drift',
          checkType: check,
          at: Date.now(),
          resolution: {
            level: 'L1',
            outcome: rng.chance(0.95) ? 'success' : 'failure',
            action: 'run_runbook:LIN-FW-001',
            ruleId: 'L1-FW-001',
            durationMs: rng.int(50, 900),
          },
        },
      ]);
    }
    draining ??= Promise.all(outboxes.map((o) => o.drain(cloud.url)))
      .catch((e: unknown) => logger.error({ err: e }, 'evidence upload failed'))
      .finally(() => (draining = undefined));
  }, 2000);
  const flywheel = setInterval(
    () =>
      void runFlywheel(
        cloud.sql,
        (siteId, rule) =>
          sync
            .editSiteDoc<RuleBook>(siteId, 'rule_book', 'flywheel', 'rule.promote', (d) => {
              if (!d.rules[rule.id]) d.rules[rule.id] = rule;
            })
            .then(() => undefined),
        { logger },
      ).catch((e: unknown) => logger.error({ err: e }, 'flywheel failed')),
    10_000,
  );
  const lines = [
    'Osiris demo is running:',
    ...cloud.services.map((s) => `  cloud: ${s}`),
    `  appliances: ${appliances.length} on site clinic-1, enrolled with Ed25519 keys, syncing over ${wsUrl} (SQLite stores and journals under ${dataDir}), recording drift and signed evidence every 2 s`,
    `  sync status: ${cloud.url}/api/sync-status`,
    `  health:      ${cloud.url}/healthz   metrics: ${cloud.url}/metrics`,
    '  flywheel: promotes reliable patterns into the RuleBook every 10 s',
    `  portal: ${cloud.url}/login   (live updates over SSE; sign in with any of these demo logins)`,
    ...logins.map(
      (l) => `    ${l.email.padEnd(24)} ${l.password.padEnd(18)} ${l.role.padEnd(14)} sees ${l.sees}`,
    ),
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await waitForSignal();
  process.stdout.write('Stopping…\n');
  clearInterval(workload);
  clearInterval(flywheel);
  await web.close();
  for (const a of appliances) await a.close();
  await draining;
  for (const o of outboxes) o.close();
  await cloud.close();
  return 0;
}
