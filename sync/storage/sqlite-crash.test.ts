// kill -9 against the SQLite store under a real Repo: after every kill the store must pass SQLite's
// integrity check, every document must load, and every write acknowledged after repo.flush() must be
// there. One store file per loop, reused across kills, so damage would accumulate.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as A from '@automerge/automerge';
import { type DocumentId, Repo } from '@automerge/automerge-repo';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { CrashDoc } from './crash-child.ts';
import { SqliteStorageAdapter } from './sqlite-storage-adapter.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = join(import.meta.dirname, 'crash-child.ts');
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Acknowledged state per document: the highest counter and the heads printed with it. */
type Acked = Map<DocumentId, { n: number; heads: string[] }>;

/** Runs the child, calls `watch` on every stdout line with a kill switch, resolves when it has died. */
function runChild(args: string[], watch: (line: string, kill: () => void) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => void child.kill('SIGKILL');
  const guard = setTimeout(kill, 20_000);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    watch(line, kill);
  });
  return new Promise<{ lines: string[]; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      done({ lines, signal, stderr });
    }),
  );
}

function recordAcks(lines: readonly string[], acked: Acked): void {
  for (const line of lines) {
    if (!line.startsWith('ack ')) continue;
    for (const [id, n, heads] of JSON.parse(line.slice(4)) as [DocumentId, number, string[]][]) {
      if (n > (acked.get(id)?.n ?? -1)) acked.set(id, { n, heads });
    }
  }
}

/** Reopens the store: integrity check, then a fresh Repo loads every document; acked writes must be there. */
async function verify(dbPath: string, ids: readonly DocumentId[], acked: Acked): Promise<void> {
  const db = new Database(dbPath);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
  const storage = new SqliteStorageAdapter(dbPath);
  const repo = new Repo({ storage });
  for (const id of ids) {
    const doc = (await repo.find<CrashDoc>(id)).doc();
    const want = acked.get(id);
    if (!want) continue;
    expect(doc.n, `doc ${id} (seed ${SEED})`).toBeGreaterThanOrEqual(want.n);
    expect(A.hasHeads(doc, want.heads), `doc ${id} lost acked heads (seed ${SEED})`).toBe(true);
  }
  await repo.shutdown();
  storage.close();
}

/** mulberry32, seeded from CRASH_SEED (printed on failure) so a failing schedule can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SQLite store under kill -9', () => {
  it('50 random kills while 12 documents take changes, compactions included: nothing acked is lost', async () => {
    const random = seeded(SEED);
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-crash-'));
    dirs.push(dir);
    const dbPath = join(dir, 'docs.db');
    const storage = new SqliteStorageAdapter(dbPath);
    const repo = new Repo({ storage });
    const ids = Array.from({ length: 12 }, () => repo.create<CrashDoc>({ n: 0, log: [] }).documentId);
    await repo.flush();
    await repo.shutdown();
    storage.close();
    writeFileSync(join(dir, 'ids.json'), JSON.stringify(ids));

    const acked: Acked = new Map();
    let acks = 0;
    let compactions = 0;
    for (let kill = 0; kill < 50; kill++) {
      // Killed after a random number of acknowledged flushes (plus a random few ms), not after a
      // wall-clock delay: a slow machine gets the same amount of work per kill.
      const target = 5 + Math.floor(random() * 20);
      const jitter = random() * 20;
      let seen = 0;
      const run = await runChild([dbPath, 'churn', join(dir, 'ids.json'), String(SEED + kill)], (line, k) => {
        if (line.startsWith('ack ') && ++seen === target) setTimeout(k, jitter);
      });
      expect(run.signal, `child died on its own (seed ${SEED}):\n${run.stderr}`).toBe('SIGKILL');
      expect(run.lines).toContain('ready');
      recordAcks(run.lines, acked);
      acks += run.lines.filter((l) => l.startsWith('ack ')).length;
      compactions += run.lines.filter((l) => l.startsWith('compact ')).length;
      await verify(dbPath, ids, acked);
    }
    console.info(`churn: seed ${SEED}, 50 kills, ${acks} acked flushes, ${compactions} compactions`);
    expect(acks).toBeGreaterThanOrEqual(50 * 5);
    expect(compactions).toBeGreaterThan(20);
  }, 120_000);

  it('12 kills aimed inside compactions (snapshot committed, old chunks partly removed)', async () => {
    const random = seeded(SEED + 1);
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-crash-'));
    dirs.push(dir);
    const dbPath = join(dir, 'docs.db');
    const ids: DocumentId[] = [];
    const acked: Acked = new Map();
    let midCompaction = 0;
    for (let kill = 0; kill < 12; kill++) {
      let target = -1;
      const run = await runChild([dbPath, 'compaction', '-', String(SEED + kill)], (line, k) => {
        const [word, arg] = line.split(' ');
        // Kill right after the snapshot committed (1 in 5) or after a random number of removals.
        if (word === 'compact' && target < 0) {
          const due = Number(arg);
          target = random() < 0.2 ? due : 1 + Math.floor(random() * (due - 1));
        }
        if ((word === 'compact' || word === 'gone') && Number(arg) === target) k();
      });
      expect(run.signal, `child died on its own (seed ${SEED}):\n${run.stderr}`).toBe('SIGKILL');
      const id = run.lines.find((l) => l.startsWith('doc '))?.slice(4) as DocumentId | undefined;
      if (id) ids.push(id);
      recordAcks(run.lines, acked);
      // Mid-compaction: the last trace line still had chunks due, and no ack (end of that save) followed.
      const last = run.lines.findLastIndex((l) => /^(compact|gone) /.test(l));
      const due = last < 0 ? 0 : Number(run.lines[last]?.split(' ')[1]);
      if (due > 0 && !run.lines.slice(last).some((l) => l.startsWith('ack '))) {
        midCompaction++;
        const chunks = await loadChunkCount(dbPath, id);
        expect(chunks.snapshots).toBeGreaterThanOrEqual(1);
        expect(chunks.total).toBeGreaterThan(1); // leftovers of the cut compaction are still there
      }
      await verify(dbPath, ids, acked);
    }
    console.info(`compaction: seed ${SEED}, 12 kills, ${midCompaction} inside a compaction`);
    expect(midCompaction).toBeGreaterThanOrEqual(9);
  }, 120_000);
});

async function loadChunkCount(dbPath: string, id: DocumentId | undefined) {
  const storage = new SqliteStorageAdapter(dbPath);
  const all = id ? await storage.loadRange([id]) : [];
  storage.close();
  return { total: all.length, snapshots: all.filter((c) => c.key[1] === 'snapshot').length };
}
