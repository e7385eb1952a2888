// P5 appliance cold start with 90 days of history: time from ApplianceSync.start to the first query
// answered, and peak RSS, in a fresh child process. Baseline: a stock Repo on NodeFS loading the same
// history written one change per event (measured at two smaller sizes, extrapolated linearly).
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { type DocumentId, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import nacl from 'tweetnacl';
import { EvidenceOutbox } from '../../../appliance/evidence/outbox.ts';
import { ApplianceSync } from '../../../appliance/sync/appliance-sync.ts';
import {
  type AuditRecord,
  type IncidentRecord,
  KIND_AUDIT,
  KIND_INCIDENT,
} from '../../../appliance/sync/records.ts';
import { auditReducer, statsReducer } from '../../../appliance/sync/reducers.ts';
import type { JournaledDoc } from '../../../sync/journal/coalescer.ts';
import type { JournalEntry } from '../../../sync/journal/journal.ts';
import { auditPeriod, deriveDocId } from '../../../sync/doc-ids.ts';
import { genesisContent } from '../../../sync/genesis-content.ts';
import { genesisDoc } from '../../../sync/genesis.ts';
import { SqliteStorageAdapter } from '../../../sync/storage/sqlite-storage-adapter.ts';
import type { ColdStartArgs, ColdStartResult } from '../cold-start-child.ts';
import { type BenchContext, type BenchScenario, type Measurement, type Stat, stat } from '../harness.ts';

const DAY = 86_400_000;
export const SITE = 's1';
export const APPLIANCE = 'app-coldstart';

export interface History {
  readonly days: number;
  readonly scansPerDay: number;
  /** Patterns drifting per scan (of 50), and drift events per scan. */
  readonly patternsPerScan: number;
  readonly eventsPerScan: number;
  readonly auditPerDay: number;
  readonly evidencePerDay: number;
}

interface Scan {
  readonly at: number;
  readonly incidents: IncidentRecord[];
  readonly audit: AuditRecord[];
}

/** The appliance's 90 days, scan by scan, ending at `now`. */
function* scans(h: History, now: number): Generator<Scan> {
  const total = h.days * h.scansPerDay;
  const auditPerScan = h.auditPerDay / h.scansPerDay;
  let a = 0;
  for (let k = 0; k < total; k++) {
    const at = now - h.days * DAY + Math.floor((k * DAY) / h.scansPerDay);
    const incidents: IncidentRecord[] = [];
    for (let i = 0; i < h.eventsPerScan; i++)
      incidents.push({
        signature: ((k * 7 + (i % h.patternsPerScan)) % 50).toString(16).padStart(16, '0'),
        incidentType: 'drift',
        checkType: 'firewall_status',
        at: at + i,
        resolution: {
          level: 'L1',
          outcome: 'success',
          action: 'run_runbook:LIN-FW-001',
          ruleId: 'L1-FW-001',
          durationMs: 120,
        },
      });
    const audit: AuditRecord[] = [];
    for (; a < Math.floor((k + 1) * auditPerScan); a++)
      audit.push({
        id: `a${a}`,
        at: at + a,
        actor: 'l1:L1-FW-001',
        action: 'run_runbook:LIN-FW-001',
        target: `ws-${a % 40}`,
        detail: {},
        outcome: 'success',
      });
    yield { at, incidents, audit };
  }
}

const entries = (docId: string, kind: string, payloads: readonly { at: number }[], seq: number) =>
  payloads.map((payload, i): JournalEntry => ({ seq: seq + i, docId, kind, payload, at: payload.at }));

/**
 * Our data dir: the documents exactly as the coalescer writes them (one change per scan, same reducers,
 * from the same genesis), stored through a Repo on SQLite, plus the evidence outbox. Built in memory
 * rather than through the journal to skip 2,160 fsynced coalesce cycles; the stored bytes are the same.
 */
export async function buildOurs(
  dir: string,
  h: History,
  now: number,
): Promise<{ changes: number; events: number }> {
  mkdirSync(dir, { recursive: true });
  const statsId = deriveDocId({ siteId: SITE, applianceId: APPLIANCE }, 'pattern_stats');
  let stats = genesisDoc(
    statsId,
    genesisContent({ kind: 'pattern_stats', siteId: SITE, applianceId: APPLIANCE, period: null }),
  ) as A.Doc<JournaledDoc & Record<string, unknown>>;
  const audits = new Map<string, A.Doc<JournaledDoc & Record<string, unknown>>>();
  let seq = 1;
  let changes = 0;
  let events = 0;
  for (const s of scans(h, now)) {
    const inc = entries(statsId, KIND_INCIDENT, s.incidents, seq);
    seq += inc.length;
    const last = seq - 1;
    stats = A.change(stats, (d) => {
      statsReducer(d, inc);
      d._journal_seq = last;
    });
    changes++;
    events += inc.length;
    if (s.audit.length === 0) continue;
    const period = auditPeriod(s.at);
    const auditId = deriveDocId({ siteId: SITE, applianceId: APPLIANCE, period }, 'audit_trail');
    const doc =
      audits.get(auditId) ??
      (genesisDoc(
        auditId,
        genesisContent({ kind: 'audit_trail', siteId: SITE, applianceId: APPLIANCE, period }),
      ) as A.Doc<JournaledDoc & Record<string, unknown>>);
    const au = entries(auditId, KIND_AUDIT, s.audit, seq);
    seq += au.length;
    const lastAudit = seq - 1;
    audits.set(
      auditId,
      A.change(doc, (d) => {
        auditReducer(d, au);
        d._journal_seq = lastAudit;
      }),
    );
    changes++;
  }
  const storage = new SqliteStorageAdapter(join(dir, 'docs.db'));
  const repo = new Repo({ storage, network: [] });
  repo.import(A.save(stats), { docId: statsId });
  for (const [id, doc] of audits) repo.import(A.save(doc), { docId: id as DocumentId });
  await repo.flush();
  await repo.shutdown();
  // The appliance's own first start writes the site documents from genesis, as in the field.
  const sync = await ApplianceSync.start({
    siteId: SITE,
    applianceId: APPLIANCE,
    storage,
    network: [],
    journalPath: join(dir, 'journal.db'),
    coalesceMs: 0,
    now: () => now,
  });
  await sync.close();
  storage.close();
  const outbox = new EvidenceOutbox({
    path: join(dir, 'outbox.db'),
    siteId: SITE,
    applianceId: APPLIANCE,
    secretKey: nacl.sign.keyPair().secretKey,
  });
  for (let d = 0; d < h.days; d++) {
    const at = now - (h.days - d) * DAY;
    outbox.recordMany(
      Array.from({ length: h.evidencePerDay }, (_, i) => ({
        kind: 'runbook_execution' as const,
        hostId: `ws-${i % 40}`,
        checkType: 'firewall_status',
        outcome: 'healed' as const,
        observedAt: new Date(at + i).toISOString(),
      })),
    );
  }
  outbox.markUploaded(outbox.head().position);
  outbox.close();
  return { changes, events };
}

/** The stock equivalent: the first `fraction` of the same events, one change each, on NodeFS. */
async function buildStock(dir: string, h: History, now: number, fraction: number): Promise<string[]> {
  const limit = Math.round(h.days * h.scansPerDay * h.eventsPerScan * fraction);
  const month = auditPeriod(now);
  let stats = A.from<{ patterns: Record<string, Record<string, number>> }>({ patterns: {} });
  let audit = A.from<{ entries: Record<string, AuditRecord> }>({ entries: {} });
  let n = 0;
  let auditCount = 0;
  let auditThisMonth = 0;
  for (const s of scans(h, now)) {
    for (const r of s.incidents) {
      if (n++ >= limit) break;
      stats = A.change(stats, (d) => {
        const p = (d.patterns[r.signature] ??= { total_occurrences: 0, l1_resolutions: 0, success_count: 0 });
        p.total_occurrences = (p.total_occurrences ?? 0) + 1;
        p.l1_resolutions = (p.l1_resolutions ?? 0) + 1;
        p.success_count = (p.success_count ?? 0) + 1;
        p.last_seen = r.at;
      });
    }
    for (const e of s.audit) if (auditPeriod(e.at) === month) auditThisMonth++;
  }
  // The current month's audit entries, scaled alike.
  for (const s of scans(h, now))
    for (const e of s.audit) {
      if (auditPeriod(e.at) !== month || auditCount >= Math.round(auditThisMonth * fraction)) continue;
      auditCount++;
      audit = A.change(audit, (d) => {
        d.entries[e.id] = e;
      });
    }
  const repo = new Repo({ storage: new NodeFSStorageAdapter(join(dir, 'stock')), network: [] });
  const ids = [repo.import(A.save(stats)).documentId, repo.import(A.save(audit)).documentId];
  await repo.flush();
  await repo.shutdown();
  return ids;
}

let childBundle: Promise<string> | undefined;

/**
 * The child as compiled JavaScript (an esbuild bundle of cold-start-child.ts, packages external), as a
 * production appliance runs it: under tsx the loader's worker thread alone adds ~39 MB of RSS, which
 * measures the development launcher, not the appliance. Ours and the stock child run the same bundle.
 * Written under node_modules/.cache so the bundle resolves the repository's packages.
 */
function compiledChild(): Promise<string> {
  childBundle ??= (async () => {
    const { build } = await import('esbuild');
    const root = join(import.meta.dirname, '..', '..', '..');
    const outfile = join(root, 'node_modules', '.cache', 'osiris-bench', 'cold-start-child.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, '..', 'cold-start-child.ts')],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return childBundle;
}

export async function runChild(args: ColdStartArgs): Promise<ColdStartResult> {
  const file = await compiledChild();
  return new Promise((resolve, reject) => {
    const child = fork(file, [], {
      // BENCH_CHILD_NODE_OPTIONS (e.g. --cpu-prof) profiles the child: docs/benchmarks-notes.md.
      execArgv: process.env.BENCH_CHILD_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m: ColdStartResult | { error: string }) =>
      'error' in m ? reject(new Error(m.error)) : resolve(m),
    );
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`cold-start child exited ${code}`));
    });
    child.send(args);
  });
}

/** Value at x of the line through (x1, y1) and (x2, y2): the baseline's linear extrapolation. */
const fit = (x1: number, y1: number, x2: number, y2: number, x: number) =>
  Math.max(y2, y1 + ((y2 - y1) * (x - x1)) / (x2 - x1));

export const scenario: BenchScenario = {
  name: 'p5-cold-start',
  description:
    'Appliance cold start with 90 days of history (a scan every hour with drift on 3 of 50 patterns, 48 events, 200 audit entries and 50 evidence bundles a day): time from ApplianceSync.start (SQLite store and journal; site documents and PatternStats opened, audit periods in the background) to the first PatternStats query answered, time until every document is loaded, and peak RSS until then, in a fresh child process running compiled JavaScript (Node and module loading excluded from the time, included in the RSS). Ours: documents as the coalescer writes them (one change per scan). Baseline: stock Repo on NodeFS loading the same drift events and current-month audit entries written one change per event, measured at two fractions of the size and extrapolated linearly.',
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const h: History = {
      days: ctx.quick ? 7 : 90,
      scansPerDay: 24,
      patternsPerScan: 3,
      eventsPerScan: 48,
      auditPerDay: 200,
      evidencePerDay: 50,
    };
    const reps = ctx.quick ? 2 : 5;
    const fractions = ctx.quick ? [0.25, 0.5] : [0.05, 0.1];
    const now = Date.now();
    const dir = join(ctx.dir, 'ours');
    const built = await buildOurs(dir, h, now);
    ctx.progress(0.3, 'built');
    const stockDirs: { dir: string; ids: string[] }[] = [];
    for (const [i, f] of fractions.entries()) {
      const d = join(ctx.dir, `stock${i}`);
      stockDirs.push({ dir: d, ids: await buildStock(d, h, now, f) });
      ctx.progress(0.3 + 0.2 * (i + 1), 'stock built');
    }
    const o: ColdStartResult[] = [];
    const s: ColdStartResult[][] = fractions.map(() => []);
    for (let r = 0; r < reps; r++) {
      o.push(await runChild({ kind: 'ours', dir, siteId: SITE, applianceId: APPLIANCE, now }));
      for (const [i, sd] of stockDirs.entries())
        s[i]?.push(
          await runChild({
            kind: 'stock',
            dir: sd.dir,
            siteId: SITE,
            applianceId: APPLIANCE,
            now,
            docIds: sd.ids,
          }),
        );
      ctx.progress(0.7 + (0.3 * (r + 1)) / reps, 'cold starts');
    }
    const events = built.events;
    const x1 = events * (fractions[0] as number);
    const x2 = events * (fractions[1] as number);
    const med = (rs: ColdStartResult[], k: 'ms' | 'msAll' | 'maxRss') => stat(rs.map((x) => x[k])).median;
    const extrapolate = (k: 'ms' | 'msAll' | 'maxRss', scaleBy: number): Stat =>
      stat(
        (s[1] as ColdStartResult[]).map(
          (x, i) => fit(x1, (s[0] as ColdStartResult[])[i]?.[k] as number, x2, x[k], events) / scaleBy,
        ),
      );
    const mb = 1024 * 1024;
    const note = `${events.toLocaleString('en-US')} drift events over ${h.days} days in ${built.changes.toLocaleString('en-US')} coalesced changes; stock measured ${med(s[0] as ColdStartResult[], 'ms').toFixed(0)} ms / ${(med(s[0] as ColdStartResult[], 'maxRss') / mb).toFixed(0)} MB at ${Math.round(x1).toLocaleString('en-US')} changes and ${med(s[1] as ColdStartResult[], 'ms').toFixed(0)} ms / ${(med(s[1] as ColdStartResult[], 'maxRss') / mb).toFixed(0)} MB at ${Math.round(x2).toLocaleString('en-US')}, extrapolated`;
    return [
      {
        metric: 'start + first query',
        unit: 'ms',
        higherIsBetter: false,
        ours: stat(o.map((x) => x.ms)),
        baseline: extrapolate('ms', 1),
        baselineName: 'stock NodeFS, change per event (extrapolated)',
        goal: { value: 1000, kind: 'absolute' },
        note,
      },
      {
        metric: 'every document loaded (current audit month included)',
        unit: 'ms',
        higherIsBetter: false,
        ours: stat(o.map((x) => x.msAll)),
        baseline: extrapolate('msAll', 1),
        baselineName: 'stock NodeFS, change per event (extrapolated)',
      },
      {
        metric: 'peak RSS (until every document is loaded)',
        unit: 'MB',
        higherIsBetter: false,
        ours: stat(o.map((x) => x.maxRss / mb)),
        baseline: extrapolate('maxRss', mb),
        baselineName: 'stock NodeFS, change per event (extrapolated)',
        goal: { value: 200, kind: 'absolute' },
      },
    ];
  },
};
