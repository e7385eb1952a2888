// One simulator run: a seeded schedule of workload and faults over the real cloud and appliance code,
// then healing and the invariants. Deterministic schedule for a seed; the verdict is what it checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import type { DocumentId, PeerId } from '@automerge/automerge-repo';
import type { SiteSettings } from '../../schemas/index.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { SimWorld, type WorldAppliance } from '../helpers/sim-world.ts';
import { Rng } from './rng.ts';

export type Fault = 'partition' | 'crash' | 'drop' | 'duplicate' | 'reorder' | 'delay';
export const ALL_FAULTS: readonly Fault[] = ['partition', 'crash', 'drop', 'duplicate', 'reorder', 'delay'];

export interface SimOptions {
  readonly seed: number;
  readonly sites: number;
  readonly appliances: number;
  readonly steps: number;
  readonly faults: readonly Fault[];
  /** A fresh, empty database for this run. */
  readonly sql: SqlClient;
  /** A deliberately broken variant, to prove the invariants catch it. */
  readonly inject?: 'lose-one-batch';
}

export interface Invariant {
  readonly ok: boolean;
  readonly detail: string;
}

export interface SimResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly invariants: Record<string, Invariant>;
  readonly stats: {
    readonly events: number;
    readonly partitions: number;
    readonly crashes: number;
    readonly delivered: number;
    readonly dropped: number;
  };
  readonly timeline: readonly { step: number; event: string }[];
}

const SIGS = ['00000000000000a1', '00000000000000b2', '00000000000000c3'];

export async function simulate(o: SimOptions): Promise<SimResult> {
  const rng = new Rng(o.seed);
  const sched = rng.fork('schedule');
  const dir = mkdtempSync(join(tmpdir(), `sim-${o.seed}-`));
  const world = new SimWorld(o.sql, dir, rng.fork('network'));
  const timeline: { step: number; event: string }[] = [];
  const issued = new Map<string, number>();
  const partnerNotes = new Map<string, string>();
  const adminNames = new Map<string, string>();
  let events = 0;
  let partitions = 0;
  let crashes = 0;
  try {
    await world.start();
    for (let s = 0; s < o.sites; s++) await world.addSite(`site-${s}`);
    for (let i = 0; i < o.appliances; i++) await world.addAppliance(`site-${i % o.sites}`, i + 1);
    for (const a of world.appliances) {
      const f = o.faults;
      world.net.setFaults(a.id as PeerId, {
        drop: f.includes('drop') ? 0.02 : 0,
        duplicate: f.includes('duplicate') ? 0.05 : 0,
        reorder: f.includes('reorder') ? 0.1 : 0,
        delayRounds: f.includes('delay') ? 3 : 0,
      });
    }
    const at0 = Date.parse('2026-11-20T00:00:00Z');
    for (let step = 0; step < o.steps; step++) {
      const a = sched.pick(world.appliances) as WorldAppliance;
      const roll = sched.next();
      if (roll < 0.55) {
        const n = sched.int(1, 20);
        const sig = sched.pick(SIGS);
        issued.set(`${a.id}/${sig}`, (issued.get(`${a.id}/${sig}`) ?? 0) + n);
        events += n;
        const batch = Array.from({ length: n }, (_, k) => ({
          signature: sig,
          incidentType: 'drift',
          checkType: 'firewall_status',
          at: at0 + step * 60_000 + k,
        }));
        // The injected bug: an appliance "acknowledges" one batch without journaling it.
        if (o.inject === 'lose-one-batch' && step === 10)
          timeline.push({ step, event: 'injected: batch lost' });
        else a.sync.record(batch);
        if (sched.chance(0.3)) await a.sync.flush();
      } else if (roll < 0.65 && o.faults.includes('partition')) {
        if (world.net.isUp(a.id as PeerId)) {
          world.net.cut(a.id as PeerId);
          partitions++;
          timeline.push({ step, event: `partition ${a.id}` });
        } else {
          world.net.heal(a.id as PeerId);
          timeline.push({ step, event: `heal ${a.id}` });
        }
      } else if (roll < 0.7 && o.faults.includes('crash')) {
        crashes++;
        timeline.push({ step, event: `crash ${a.id}` });
        world.net.cut(a.id as PeerId);
        await a.sync.close();
        a.sync = await world.startAppliance(a.id, a.siteId);
        world.net.heal(a.id as PeerId);
      } else if (roll < 0.8) {
        const note = `partner note ${step}`;
        partnerNotes.set(a.siteId, note);
        await world.cloud.editSiteDoc<SiteSettings>(
          a.siteId,
          'site_settings',
          'partner:sim',
          'settings.update',
          (d) => {
            d.notes = note;
          },
        );
      } else if (roll < 0.85 && world.appliances.find((x) => x.siteId === a.siteId) === a) {
        // One local admin per site: concurrent edits of the *same* field resolve by op id, not time,
        // so only distinct-field edits have a "must survive" answer.
        const name = `Clinic ${step}`;
        adminNames.set(a.siteId, name);
        a.sync.editSettings((d) => {
          d.clinic_name = name;
        }, 'sim-admin');
      }
      await world.net.deliverRound();
      if (step % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    // Heal everything and let the system settle.
    for (const a of world.appliances) {
      world.net.heal(a.id as PeerId);
      world.net.setFaults(a.id as PeerId, { drop: 0, duplicate: 0, reorder: 0, delayRounds: 0 });
      await a.sync.flush();
    }
    const docsOf = (a: WorldAppliance) => [
      deriveDocId({ siteId: a.siteId }, 'site_settings'),
      a.sync.statsDocId,
    ];
    const converged = async () => {
      for (const a of world.appliances) {
        for (const id of docsOf(a)) {
          const c = await world.cloud.currentDoc(id as DocumentId);
          const local = A.getHeads(a.sync.open(id as DocumentId).doc() as A.Doc<unknown>);
          if (!c || A.getHeads(c).sort().join() !== [...local].sort().join()) return false;
        }
      }
      return true;
    };
    let convergence: Invariant = { ok: true, detail: 'every replica of every document has identical heads' };
    try {
      await world.until(converged, 5000, 'convergence');
    } catch {
      const differ: string[] = [];
      for (const a of world.appliances) {
        for (const id of docsOf(a)) {
          const c = await world.cloud.currentDoc(id as DocumentId);
          const local = A.getHeads(a.sync.open(id as DocumentId).doc() as A.Doc<unknown>);
          if (!c || A.getHeads(c).sort().join() !== [...local].sort().join()) {
            differ.push(
              `${a.id}:${id === a.sync.statsDocId ? 'stats' : 'settings'} local=${local.length}/${A.getHistory(a.sync.open(id as DocumentId).doc() as A.Doc<unknown>).length} cloud=${c ? `${A.getHeads(c).length}/${A.getHistory(c).length}` : 'none'} up=${world.net.isUp(a.id as PeerId)}`,
            );
          }
        }
      }
      convergence = { ok: false, detail: `replicas still differ after healing: ${differ.join('; ')}` };
    }
    await world.cloud.projectionIdle();
    const rows = await o.sql.query<{ appliance_id: string; signature: string; n: string }>(
      'select appliance_id, signature, total_occurrences::text n from pattern_stats',
    );
    const projected = new Map(rows.rows.map((r) => [`${r.appliance_id}/${r.signature}`, Number(r.n)]));
    const lost = [...issued].filter(([k, n]) => projected.get(k) !== n);
    const settings = await o.sql.query<{ site_id: string; notes: string; clinic_name: string }>(
      'select site_id, notes, clinic_name from site_settings',
    );
    const edits = settings.rows.filter(
      (r) =>
        (partnerNotes.has(r.site_id) && r.notes !== partnerNotes.get(r.site_id)) ||
        (adminNames.has(r.site_id) && r.clinic_name !== adminNames.get(r.site_id)),
    );
    // Projection is a pure function of the documents: a full rebuild equals the incremental tables.
    const snap = async () =>
      JSON.stringify(
        (
          await o.sql.query(
            'select appliance_id, signature, total_occurrences, success_count from pattern_stats order by 1, 2',
          )
        ).rows,
      );
    const before = await snap();
    for (const a of world.appliances)
      await world.cloud.projector.projectDoc(a.sync.statsDocId, { full: true });
    const after = await snap();
    // Access: no appliance ever held another site's or another appliance's document.
    const foreign = world.appliances.flatMap((a) =>
      Object.keys(a.sync.repo.handles).filter((id) => {
        const own = [
          deriveDocId({ siteId: a.siteId }, 'site_settings'),
          deriveDocId({ siteId: a.siteId }, 'rule_book'),
          deriveDocId({ siteId: a.siteId }, 'exceptions'),
          a.sync.statsDocId,
        ];
        return !own.includes(id as DocumentId) && !isOwnAudit(a, id);
      }),
    );
    const violations = await world.cloud.registry.violations();
    const invariants: Record<string, Invariant> = {
      convergence,
      no_lost_or_doubled_increment: {
        ok: lost.length === 0,
        detail:
          lost.length === 0
            ? `${issued.size} counters exact`
            : `mismatch: ${lost
                .slice(0, 3)
                .map(([k, n]) => `${k} issued ${n} projected ${projected.get(k)}`)
                .join('; ')}`,
      },
      projection_pure: {
        ok: before === after,
        detail: before === after ? 'full rebuild equals incremental' : 'full rebuild differs',
      },
      access_rules_held: {
        ok: foreign.length === 0 && violations.length === 0,
        detail: foreign.length ? `foreign docs: ${foreign.join(',')}` : `${violations.length} ACL violations`,
      },
      concurrent_field_edits_survived: {
        ok: edits.length === 0,
        detail:
          edits.length === 0
            ? 'last partner note and last admin name present on every site'
            : `lost on ${edits.map((e) => e.site_id).join(',')}`,
      },
    };
    return {
      ok: Object.values(invariants).every((i) => i.ok),
      seed: o.seed,
      invariants,
      stats: { events, partitions, crashes, delivered: world.net.delivered, dropped: world.net.dropped },
      timeline,
    };
  } finally {
    await world.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function isOwnAudit(a: WorldAppliance, id: string): boolean {
  for (let m = 0; m < 24; m++) {
    const d = new Date(Date.UTC(2026, m, 1));
    if (
      deriveDocId(
        { siteId: a.siteId, applianceId: a.id, period: d.toISOString().slice(0, 7) },
        'audit_trail',
      ) === id
    )
      return true;
  }
  return false;
}
