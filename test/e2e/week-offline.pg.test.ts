import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import type { PeerId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../appliance/sync/records.ts';
import type { SiteSettings } from '../../schemas/index.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { SimWorld, type WorldAppliance } from '../helpers/sim-world.ts';
import { Rng } from '../simulator/rng.ts';

const DAY = 86_400_000;
const sigs = ['00000000000000a1', '00000000000000b2', '00000000000000c3'];

describe('an appliance offline for a week while partners edit (real Postgres)', () => {
  let db: TestDatabase;
  let world: SimWorld;
  let app: WorldAppliance;
  const dir = mkdtempSync(join(tmpdir(), 'week-'));

  beforeAll(async () => {
    db = await createTestDatabase('week');
    world = new SimWorld(new PgSqlClient(db.pool), dir, new Rng(99));
    await world.start();
    await world.addSite('s1');
    app = await world.addAppliance('s1', 1);
  });
  afterAll(async () => {
    await world.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('converges to identical heads, loses and doubles no increment, keeps both sides’ field edits', async () => {
    const settingsId = deriveDocId({ siteId: 's1' }, 'site_settings');
    await world.until(
      async () => (await world.cloud.currentDoc(app.sync.statsDocId)) !== undefined,
      2000,
      'stats at cloud',
    );
    world.net.cut(app.id as PeerId);

    // A week offline: 7 days × 600 incidents, coalesced every simulated hour; audit entries too.
    const start = Date.parse('2026-11-25T00:00:00Z');
    const issued = new Map<string, number>();
    for (let hour = 0; hour < 7 * 24; hour++) {
      const incidents: IncidentRecord[] = [];
      for (let i = 0; i < 25; i++) {
        const signature = sigs[(hour + i) % 3] as string;
        issued.set(signature, (issued.get(signature) ?? 0) + 1);
        incidents.push({
          signature,
          incidentType: 'drift',
          checkType: 'firewall_status',
          at: start + hour * 3_600_000 + i,
          resolution: {
            level: 'L1',
            outcome: 'success',
            action: 'run_runbook:LIN-FW-001',
            ruleId: 'L1-FW-001',
            durationMs: 120,
          },
        });
      }
      const at = start + hour * 3_600_000;
      app.sync.record(incidents, [
        {
          id: `h${hour}`,
          at,
          actor: 'l1:L1-FW-001',
          action: 'run_runbook:LIN-FW-001',
          target: 'ws-1',
          detail: {},
          outcome: 'success',
        },
      ]);
      if (hour % 24 === 23) await app.sync.flush();
    }
    await app.sync.flush();
    // The month rolled over during the outage: two audit periods exist locally.
    expect(app.sync.auditDocId(start)).not.toBe(app.sync.auditDocId(start + 7 * DAY));

    // Meanwhile a local admin and a partner edit different settings fields.
    app.sync.editSettings((d) => {
      d.notes = 'edited on the appliance during the outage';
    }, 'clinic-admin');
    await world.cloud.editSiteDoc<SiteSettings>(
      's1',
      'site_settings',
      'partner:alice',
      'settings.update',
      (d) => {
        d.healing_tier = 'full_coverage';
        d.enabled_frameworks.soc2 = true;
      },
    );

    world.net.heal(app.id as PeerId);
    const docs = [
      settingsId,
      app.sync.statsDocId,
      app.sync.auditDocId(start),
      app.sync.auditDocId(start + 7 * DAY),
    ];
    await world.until(async () => {
      for (const id of docs) {
        const local = A.getHeads(app.sync.open(id).doc() as A.Doc<unknown>);
        const c = await world.cloud.currentDoc(id);
        if (!c || JSON.stringify(A.getHeads(c).sort()) !== JSON.stringify([...local].sort())) return false;
      }
      return true;
    });
    const settings = app.sync.settings().doc();
    expect(settings.notes).toBe('edited on the appliance during the outage');
    expect(settings.healing_tier).toBe('full_coverage');
    expect(settings.enabled_frameworks.soc2).toBe(true);

    await world.cloud.projectionIdle();
    const rows = await world.sql.query<{ signature: string; n: string; ok: string }>(
      'select signature, total_occurrences::text n, success_count::text ok from pattern_stats where appliance_id = $1',
      [app.id],
    );
    expect(Object.fromEntries(rows.rows.map((r) => [r.signature, Number(r.n)]))).toEqual(
      Object.fromEntries(issued),
    );
    const q = await world.sql.query('select doc_id, reason from projection_quarantine');
    expect(q.rows).toEqual([]);
    const audit = await world.sql.query<{ n: number }>(
      'select count(*)::int n from audit_events where appliance_id = $1',
      [app.id],
    );
    expect(audit.rows[0]?.n).toBe(7 * 24);
    const s = await world.sql.query<{ notes: string; healing_tier: string }>(
      "select notes, healing_tier from site_settings where site_id = 's1'",
    );
    expect(s.rows[0]).toEqual({
      notes: 'edited on the appliance during the outage',
      healing_tier: 'full_coverage',
    });
  });
});
