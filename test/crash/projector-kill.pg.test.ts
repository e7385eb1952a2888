// Kill -9 of the projector at random points (≥ 50): after every kill, each document's rows equal a
// full rebuild from the document at the heads recorded for it, and a restart resumes to the end.
// The documents carry SQL-injection attempts in every string field the projection writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Projector } from '../../cloud/projection/projector.ts';
import { ALL_PROJECTORS } from '../../cloud/projection/projectors.ts';
import { Registry } from '../../cloud/registry/registry.ts';
import {
  initialAuditTrail,
  initialExceptions,
  initialPatternStats,
  initialRuleBook,
  initialSiteSettings,
} from '../../schemas/index.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { genesisDoc } from '../../sync/genesis.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { Rng } from '../simulator/rng.ts';
import { runChild } from './run-child.ts';

const rngOf = (seed: number): (() => number) => {
  const r = new Rng(seed);
  return () => r.next();
};

type Any = Record<string, unknown>;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const VERSIONS = 40;
const KILLS = 50;
const EVIL = [
  "Robert'); drop table l1_rules; --",
  "x' or '1'='1",
  '$1; delete from audit_events; --',
  "\\x00' || pg_sleep(5) --",
  "'); insert into promotions values ('pwn'); --",
];

let db: TestDatabase;
let sql: PgSqlClient;
let dir: string;
const ids: string[] = [];
const versions: A.Doc<Any>[][] = [];

beforeAll(async () => {
  db = await createTestDatabase('pkill');
  sql = new PgSqlClient(db.pool);
  await migrate(sql);
  const reg = new Registry(sql);
  await reg.createPartner('p', 'P');
  await reg.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
  const app = (await reg.enroll(await reg.issueEnrollmentToken('s1'), new Uint8Array(32).fill(9)))
    .applianceId;
  const auditId = deriveDocId({ siteId: 's1', applianceId: app, period: '2026-11' }, 'audit_trail');
  await sql.query(
    "insert into documents (doc_id, site_id, kind, appliance_id, period) values ($1, 's1', 'audit_trail', $2, '2026-11')",
    [auditId, app],
  );
  const random = rngOf(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const start: [string, Any][] = [
    [deriveDocId({ siteId: 's1' }, 'site_settings'), initialSiteSettings('s1') as unknown as Any],
    [deriveDocId({ siteId: 's1' }, 'rule_book'), initialRuleBook('s1') as unknown as Any],
    [deriveDocId({ siteId: 's1' }, 'exceptions'), initialExceptions('s1') as unknown as Any],
    [
      deriveDocId({ siteId: 's1', applianceId: app }, 'pattern_stats'),
      initialPatternStats('s1', app) as unknown as Any,
    ],
    [auditId, initialAuditTrail('s1', app, '2026-11') as unknown as Any],
  ];
  for (const [id, init] of start) {
    ids.push(id);
    let doc = genesisDoc(id as DocumentId, init);
    const list: A.Doc<Any>[] = [];
    for (let v = 0; v < VERSIONS; v++) {
      doc = A.change(A.clone(doc), (d) => {
        switch (d.kind) {
          case 'site_settings':
            d.notes = `${pick(EVIL)} v${v}`;
            d.healing_tier = pick(['standard', 'full_coverage']);
            (d.enabled_frameworks as Any)[pick(['soc2', 'pci_dss', 'nist_csf'])] = random() < 0.5;
            break;
          case 'rule_book': {
            const rules = d.rules as Record<string, Any>;
            const key = pick(Object.keys(rules));
            (rules[key] as Any).enabled = random() < 0.5;
            break;
          }
          case 'pattern_stats': {
            const p = d.patterns as Record<string, Any>;
            const sig = pick(['0123456789abcdef', 'fedcba9876543210', 'aaaaaaaaaaaaaaaa']);
            const e = (p[sig] ??= {
              incident_type: pick(EVIL),
              check_type: 'firewall_status',
              total_occurrences: 0,
              l1_resolutions: 0,
              l2_resolutions: 0,
              l3_resolutions: 0,
              success_count: 0,
              failure_count: 0,
              total_resolution_time_ms: 0,
              last_seen: 1,
              recommended_action: null,
            });
            e.total_occurrences = (e.total_occurrences as number) + 1 + Math.floor(random() * 5);
            e.success_count = (e.success_count as number) + 1;
            break;
          }
          case 'audit_trail': {
            const entries = d.entries as Record<string, Any>;
            for (let k = 0; k < 3; k++) {
              const eid = `e-${v}-${k}`;
              entries[eid] = {
                id: eid,
                at: 1_790_000_000_000 + v * 1000 + k,
                actor: pick(EVIL),
                action: `run_runbook:${pick(EVIL)}`.slice(0, 200),
                target: pick(EVIL),
                detail: { note: pick(EVIL) },
                outcome: 'success',
              };
            }
            break;
          }
          default:
            d.updated_note = pick(EVIL);
        }
      });
      list.push(doc);
    }
    versions.push(list);
  }
  dir = mkdtempSync(join(tmpdir(), 'pkill-'));
  writeFileSync(join(dir, 'ids.json'), JSON.stringify(ids));
  versions.forEach((list, i) => list.forEach((d, v) => writeFileSync(join(dir, `${i}-${v}.am`), A.save(d))));
}, 120_000);
afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the child from round `start`; kills it after `afterDocs` projected documents plus a few ms. */
function runProjector(start: number, kill: { afterDocs: number; jitterMs: number } | undefined) {
  let projected = 0;
  return runChild(
    join(import.meta.dirname, 'projector-child.ts'),
    [db.url, dir, String(start), String(VERSIONS)],
    // Killed after a number of projected documents (plus a few ms into the next one), not after a
    // wall-clock delay: the same work per kill on a fast or a loaded machine.
    (line, k) => {
      if (line === 'p' && kill && ++projected === kill.afterDocs) k(kill.jitterMs);
    },
  );
}

const TABLES = ['site_settings', 'site_frameworks', 'l1_rules', 'pattern_stats', 'audit_events'];
const snapshot = async () => {
  const out: Record<string, string[]> = {};
  for (const t of TABLES)
    out[t] = (await sql.query(`select * from ${t} order by 1, 2, 3`)).rows.map((r) =>
      JSON.stringify({ ...(r as object), doc_heads: undefined }),
    );
  return out;
};

/** Rows must equal a full rebuild from each document at the heads projection_state records for it. */
async function checkConsistent(): Promise<void> {
  const before = await snapshot();
  const state = await sql.query<{ doc_id: string; heads: string[] }>(
    'select doc_id, heads from projection_state',
  );
  const at = new Map<string, A.Doc<Any>>();
  for (const row of state.rows) {
    const i = ids.indexOf(row.doc_id);
    const v = (versions[i] ?? []).find((d) => JSON.stringify(A.getHeads(d)) === JSON.stringify(row.heads));
    expect(v, `recorded heads of ${row.doc_id} match a real version (seed ${SEED})`).toBeDefined();
    at.set(row.doc_id, v as A.Doc<Any>);
  }
  const reg = new Registry(sql);
  const reference = new Projector({
    sql,
    source: async (id) => at.get(id),
    entry: (id) => reg.document(id),
    projectors: ALL_PROJECTORS,
  });
  for (const id of at.keys()) await reference.projectDoc(id, { full: true });
  expect(await snapshot(), `rows equal a rebuild at the recorded heads (seed ${SEED})`).toEqual(before);
}

describe('projector under kill -9', () => {
  it(`${KILLS} random kills mid-projection: rows and recorded heads stay consistent; a restart finishes the job`, async () => {
    const random = rngOf(SEED + 1);
    let round = 0;
    let kills = 0;
    const killedAt = new Set<number>();
    while (kills < KILLS) {
      const run = await runProjector(round, {
        afterDocs: 1 + Math.floor(random() * 20),
        jitterMs: random() * 15,
      });
      const rounds = run.lines.filter((l) => l.startsWith('round ')).map((l) => Number(l.slice(6)));
      if (run.lines.includes('done')) round = 0;
      else {
        expect(run.signal, `child died on its own (seed ${SEED}):\n${run.stderr}`).toBe('SIGKILL');
        kills++;
        if (rounds.length) round = (rounds.at(-1) as number) + 1;
        killedAt.add(round);
      }
      await checkConsistent();
    }
    const last = await runProjector(round, undefined);
    expect(last.lines, last.stderr).toContain('done');
    await checkConsistent();
    // The final state is the last version of every document; the injections are stored as data.
    const notes = await sql.query<{ notes: string }>("select notes from site_settings where site_id = 's1'");
    expect(EVIL.some((e) => notes.rows[0]?.notes.startsWith(e))).toBe(true);
    const audit = await sql.query<{ n: string }>('select count(*)::text as n from audit_events');
    expect(Number(audit.rows[0]?.n)).toBe(VERSIONS * 3);
    // Kills landed at many different points of the work, not all before the first round.
    expect(killedAt.size, `kill points ${[...killedAt].join(',')}`).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
