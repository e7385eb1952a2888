// The invariants checked after a run has healed (design.md, "Invariants"). Each returns ok + a detail
// line a tester can act on.
import * as A from '@automerge/automerge';
import type { DocumentId, PeerId } from '@automerge/automerge-repo';
import { exportEvidence } from '../../cloud/evidence/export.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { verifyExport } from '../../sync/evidence/verify-export.ts';
import type { SimWorld, WorldAppliance } from '../helpers/sim-world.ts';
import type { Expectations } from './workload.ts';

export interface Invariant {
  readonly ok: boolean;
  readonly detail: string;
}

/** The documents an appliance replicates (its own audit trails aside). */
export function docsOf(a: WorldAppliance): { id: DocumentId; label: string }[] {
  return [
    { id: deriveDocId({ siteId: a.siteId }, 'site_settings'), label: 'settings' },
    { id: deriveDocId({ siteId: a.siteId }, 'rule_book'), label: 'rules' },
    { id: deriveDocId({ siteId: a.siteId }, 'exceptions'), label: 'exceptions' },
    { id: a.sync.statsDocId, label: 'stats' },
  ];
}

const headsKey = (d: A.Doc<unknown>) => [...A.getHeads(d)].sort().join();

/** Replicas whose heads differ from the cloud's (empty when converged). */
export async function divergentReplicas(world: SimWorld): Promise<string[]> {
  const out: string[] = [];
  for (const a of world.appliances)
    for (const { id, label } of docsOf(a)) {
      const c = await world.cloud.currentDoc(id);
      const local = a.sync.open(id).doc() as A.Doc<unknown>;
      if (!c || headsKey(c) !== headsKey(local))
        out.push(
          `${a.id}:${label} local=${A.getHeads(local).length}/${A.getHistory(local).length} cloud=${c ? `${A.getHeads(c).length}/${A.getHistory(c).length}` : 'none'} up=${world.net.isUp(a.id as PeerId)}`,
        );
    }
  return out;
}

/** Cheap per-step divergence (only documents the cloud has loaded count as comparable). */
export function divergenceNow(world: SimWorld): { diverged: number; heads: number } {
  const sets = new Map<string, Set<string>>();
  let diverged = 0;
  for (const a of world.appliances)
    for (const { id } of docsOf(a)) {
      const h = world.cloud.repo.handles[id];
      const local = a.sync.repo.handles[id];
      const cloudHeads = h?.isReady() ? headsKey(h.doc() as A.Doc<unknown>) : '?';
      const localHeads = local?.isReady() ? headsKey(local.doc() as A.Doc<unknown>) : '?';
      const s = sets.get(id) ?? new Set([cloudHeads]);
      s.add(localHeads);
      sets.set(id, s);
      if (cloudHeads !== localHeads) diverged++;
    }
  return { diverged, heads: [...sets.values()].reduce((n, s) => n + s.size, 0) };
}

const get = (o: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    o,
  );

export async function checkInvariants(
  world: SimWorld,
  expect: Expectations,
  convergence: Invariant,
): Promise<Record<string, Invariant>> {
  const sql = world.sql;
  const rows = await sql.query<{ appliance_id: string; signature: string; n: string }>(
    'select appliance_id, signature, total_occurrences::text n from pattern_stats',
  );
  const projected = new Map(rows.rows.map((r) => [`${r.appliance_id}/${r.signature}`, Number(r.n)]));
  const lost = [...expect.issued].filter(([k, n]) => projected.get(k) !== n);

  // Every field edit by its one writer, and every exception event, survived the merges.
  const lostFields: string[] = [];
  for (const f of expect.fields.values()) {
    const doc = await world.cloud.currentDoc(deriveDocId({ siteId: f.siteId }, 'site_settings'));
    const v = get(doc, f.path);
    if (v !== f.value)
      lostFields.push(`${f.siteId}:${f.path.join('.')} (${f.writer}) = ${String(v)}, want ${f.value}`);
  }
  for (const e of expect.exceptions.values()) {
    const doc = await world.cloud.currentDoc(deriveDocId({ siteId: e.siteId }, 'exceptions'));
    const x = get(doc, ['exceptions', e.id]) as { status?: string; history?: unknown[] } | undefined;
    if (x?.status !== e.status || x.history?.length !== e.events)
      lostFields.push(
        `${e.siteId}:${e.id} status=${x?.status} history=${x?.history?.length}, want ${e.status}/${e.events}`,
      );
  }
  const projectedSettings = await sql.query<{ site_id: string; notes: string; clinic_name: string }>(
    'select site_id, notes, clinic_name from site_settings',
  );
  for (const r of projectedSettings.rows)
    for (const col of ['notes', 'clinic_name'] as const) {
      const f = expect.fields.get(`${r.site_id}:${col}`);
      if (f && r[col] !== f.value)
        lostFields.push(`projected ${r.site_id}.${col} = ${r[col]}, want ${f.value}`);
    }

  // Every promotion claimed in Postgres reached its site's rule book.
  const promos = await sql.query<{ site_id: string; rule_id: string }>(
    'select site_id, rule_id from promotions',
  );
  const missingRules: string[] = [];
  for (const p of promos.rows) {
    const doc = await world.cloud.currentDoc(deriveDocId({ siteId: p.site_id }, 'rule_book'));
    if (!get(doc, ['rules', p.rule_id])) missingRules.push(`${p.site_id}:${p.rule_id}`);
  }

  // Projection is a pure function of the documents: a full rebuild of every projected document
  // equals the incrementally maintained tables (every column but the version token).
  const TABLES = [
    'site_settings',
    'site_frameworks',
    'l1_rules',
    'compliance_exceptions',
    'pattern_stats',
    'rule_outcomes',
    'audit_events',
  ];
  const snap = async () => {
    const out: string[] = [];
    for (const t of TABLES) {
      const rows = (await sql.query(`select * from ${t}`)).rows.map((r) =>
        JSON.stringify({ ...(r as object), doc_heads: undefined }),
      );
      out.push(`${t}:${rows.sort().join('\n')}`);
    }
    return out.join('\n\n');
  };
  await world.cloud.projectionIdle();
  const before = await snap();
  const projectedDocs = await sql.query<{ doc_id: string }>('select doc_id from projection_state');
  for (const r of projectedDocs.rows) await world.cloud.projector.projectDoc(r.doc_id, { full: true });
  const after = await snap();

  // Access: no appliance ever held another site's or another appliance's document.
  const foreign = world.appliances.flatMap((a) =>
    Object.keys(a.sync.repo.handles).filter(
      (id) => !docsOf(a).some((d) => d.id === id) && !isOwnAudit(a, id),
    ),
  );
  const violations = await world.cloud.registry.violations();

  return {
    convergence,
    no_lost_or_doubled_increment: {
      ok: lost.length === 0,
      detail:
        lost.length === 0
          ? `${expect.issued.size} counters exact`
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
      ok: lostFields.length === 0,
      detail:
        lostFields.length === 0
          ? `${expect.fields.size} fields and ${expect.exceptions.size} exceptions as last written`
          : `lost: ${lostFields.slice(0, 4).join('; ')}`,
    },
    promotions_delivered: {
      ok: missingRules.length === 0,
      detail:
        missingRules.length === 0
          ? `${promos.rows.length} promoted rules in rule books`
          : `missing ${missingRules.join(',')}`,
    },
    evidence_chain_verifies: await checkEvidence(world),
  };
}

/** Every outbox drained, the cloud's chain head equals the appliance's, and each site's export verifies. */
async function checkEvidence(world: SimWorld): Promise<Invariant> {
  const problems = [...world.evidenceRefusals];
  let bundles = 0;
  for (const a of world.appliances) {
    const mine = world.outbox(a).head();
    const theirs = await world.evidence.head(a.id);
    bundles += mine.position;
    if (world.outbox(a).pending() > 0)
      problems.push(`${a.id}: ${world.outbox(a).pending()} bundles never uploaded`);
    if (theirs.position !== mine.position || theirs.hash !== mine.hash)
      problems.push(`${a.id}: cloud head ${theirs.position} != outbox head ${mine.position}`);
  }
  const key = world.evidence.verifierKey;
  for (const siteId of new Set(world.appliances.map((a) => a.siteId))) {
    const file = await exportEvidence(world.sql, world.evidence, { siteId });
    const r = verifyExport(JSON.parse(JSON.stringify(file)), { trustedLogKeys: [key] });
    if (!r.ok) problems.push(`${siteId}: export ${r.failures.map((f) => f.code).join(',')}`);
  }
  return {
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${bundles} bundles logged, every chain verifies`
        : problems.slice(0, 4).join('; '),
  };
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
