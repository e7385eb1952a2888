// Projection: document changes projected per second and change → rows-committed lag for a fleet of
// appliances (stats + audit documents), incremental (Automerge diff between recorded and new heads)
// against the naive baseline a stock-stack user would write (rescan the whole document and rewrite
// its rows on every change); and the full reproject time of the fleet.
import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import { Projector } from '../../../cloud/projection/projector.ts';
import { ALL_PROJECTORS } from '../../../cloud/projection/projectors.ts';
import { Registry } from '../../../cloud/registry/registry.ts';
import { initialAuditTrail, initialPatternStats } from '../../../schemas/index.ts';
import { deriveDocId } from '../../../sync/doc-ids.ts';
import { genesisDoc } from '../../../sync/genesis.ts';
import { migrate } from '../../../sync/sql/migrate.ts';
import { openBenchDb } from '../bench-db.ts';
import { type BenchContext, type BenchScenario, type Measurement, quantile, stat } from '../harness.ts';

type Any = Record<string, unknown>;
const SIGS = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(16, '0'));

function pattern(n: number): Any {
  return {
    incident_type: 'drift',
    check_type: 'firewall_status',
    total_occurrences: n,
    l1_resolutions: n,
    l2_resolutions: 0,
    l3_resolutions: 0,
    success_count: n,
    failure_count: 0,
    total_resolution_time_ms: n * 100,
    last_seen: 1_790_000_000_000,
    recommended_action: null,
  };
}

export const scenario: BenchScenario = {
  name: 'projection',
  description:
    'A fleet of appliances (20 patterns and 200 audit entries each) sends one change to its stats and audit documents at once; the projector commits rows + heads per document. Incremental projection (diff from recorded heads) vs the naive per-change full rescan a stock-stack user would write, same database, same run. Postgres when DATABASE_URL is set, else PGlite.',
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const fleet = ctx.quick ? 100 : 1000;
    const db = await openBenchDb(ctx.databaseUrl, 'projection');
    const { sql } = db;
    try {
      await migrate(sql);
      const reg = new Registry(sql);
      await reg.createPartner('bp', 'bench');
      const docs = new Map<string, A.Doc<Any>>();
      const ids: string[] = [];
      for (let i = 0; i < fleet; i++) {
        const site = `bs${i % 100}`;
        if (i < 100) await reg.createSite({ id: site, partnerId: 'bp', name: site });
        const key = new Uint8Array(32);
        new DataView(key.buffer).setUint32(0, i + 1);
        const { applianceId } = await reg.enroll(await reg.issueEnrollmentToken(site), key);
        const statsId = deriveDocId({ siteId: site, applianceId }, 'pattern_stats');
        const auditId = deriveDocId({ siteId: site, applianceId, period: '2026-11' }, 'audit_trail');
        await sql.query(
          "insert into documents (doc_id, site_id, kind, appliance_id, period) values ($1, $2, 'audit_trail', $3, '2026-11')",
          [auditId, site, applianceId],
        );
        const stats = A.change(
          genesisDoc(statsId as DocumentId, initialPatternStats(site, applianceId) as unknown as Any),
          (d) => {
            for (const s of SIGS) (d.patterns as Any)[s] = pattern(5);
          },
        );
        const audit = A.change(
          genesisDoc(
            auditId as DocumentId,
            initialAuditTrail(site, applianceId, '2026-11') as unknown as Any,
          ),
          (d) => {
            for (let k = 0; k < 200; k++)
              (d.entries as Any)[`e${k}`] = {
                id: `e${k}`,
                at: 1_790_000_000_000 + k,
                actor: 'appliance',
                action: 'run_runbook:LIN-FW-001',
                target: `host-${k % 9}`,
                detail: {},
                outcome: 'success',
              };
          },
        );
        docs.set(statsId, stats);
        docs.set(auditId, audit);
        ids.push(statsId, auditId);
        if (i % 50 === 0) ctx.progress((0.3 * i) / fleet, 'fleet');
      }
      const projector = new Projector({
        sql,
        source: async (id) => docs.get(id),
        entry: (id) => reg.document(id),
        projectors: ALL_PROJECTORS,
      });
      for (const id of ids) await projector.projectDoc(id);
      ctx.progress(0.4, 'baseline state');
      const change = (round: number) => {
        for (const id of ids)
          docs.set(
            id,
            A.change(docs.get(id) as A.Doc<Any>, (d) => {
              if (d.kind === 'pattern_stats') {
                const p = d.patterns as Record<string, Any>;
                for (const s of SIGS.slice(round % 10, (round % 10) + 2)) {
                  const e = p[s] as Any;
                  e.total_occurrences = (e.total_occurrences as number) + 1;
                  e.success_count = (e.success_count as number) + 1;
                }
              } else {
                for (let k = 0; k < 5; k++)
                  (d.entries as Any)[`r${round}-${k}`] = {
                    id: `r${round}-${k}`,
                    at: 1_790_100_000_000 + k,
                    actor: 'appliance',
                    action: 'heal',
                    target: 'host',
                    detail: {},
                    outcome: 'success',
                  };
              }
            }),
          );
      };
      const burst = async (full: boolean) => {
        const t0 = performance.now();
        const lags: number[] = [];
        for (const id of ids) {
          await projector.projectDoc(id, { full });
          lags.push(performance.now() - t0);
        }
        const s = (performance.now() - t0) / 1000;
        return { rate: ids.length / s, p50: quantile(lags, 0.5), p99: quantile(lags, 0.99) };
      };
      const reps = ctx.quick ? 1 : 3;
      const inc: { rate: number; p50: number; p99: number }[] = [];
      const naive: typeof inc = [];
      for (let r = 0; r < reps; r++) {
        change(2 * r);
        inc.push(await burst(false));
        change(2 * r + 1);
        naive.push(await burst(true));
        ctx.progress(0.4 + (0.5 * (r + 1)) / reps, 'bursts');
      }
      // Full reproject of the fleet (what `osiris cloud reproject` does per document).
      await sql.query('delete from projection_state');
      const t0 = performance.now();
      for (const id of ids) await projector.projectDoc(id, { full: true });
      const reproject = (performance.now() - t0) / 1000;
      ctx.progress(1);
      const engine = db.label;
      const base = { baselineName: 'full rescan per change' };
      return [
        {
          metric: `projection throughput, ${fleet} appliances (${engine})`,
          unit: 'doc changes/s',
          higherIsBetter: true,
          ours: stat(inc.map((x) => x.rate)),
          baseline: stat(naive.map((x) => x.rate)),
          ...base,
        },
        {
          metric: 'change → rows committed lag p50 (burst of the whole fleet)',
          unit: 'ms',
          higherIsBetter: false,
          ours: stat(inc.map((x) => x.p50)),
          baseline: stat(naive.map((x) => x.p50)),
          ...base,
        },
        {
          metric: 'change → rows committed lag p99 (burst of the whole fleet)',
          unit: 'ms',
          higherIsBetter: false,
          ours: stat(inc.map((x) => x.p99)),
          baseline: stat(naive.map((x) => x.p99)),
          ...base,
        },
        {
          metric: `full reproject of ${fleet} appliances (${ids.length} documents)`,
          unit: 's',
          higherIsBetter: false,
          ours: stat([reproject]),
        },
      ];
    } finally {
      await db.close();
    }
  },
};
