import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PeerId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatternStats } from '../../schemas/index.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { SimWorld } from '../helpers/sim-world.ts';
import { Rng } from '../simulator/rng.ts';

const child = resolve(import.meta.dirname, 'intake-child.ts');
const KILLS = Math.max(50, Number(process.env.KILLS ?? 52));

/**
 * Runs the child until `ready <stored>`, lets it work for `ms`, SIGKILLs it. Returns what the store held
 * when the child started (everything earlier runs committed) and how many events this run acknowledged.
 */
function runAndKill(
  dir: string,
  siteId: string,
  applianceId: string,
  ms: number,
): Promise<{ stored: number; acked: number }> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, siteId, applianceId], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = 0;
    let stored = -1;
    let buf = '';
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('ready ')) {
          stored = Number(l.slice(6));
          setTimeout(() => p.kill('SIGKILL'), ms);
        } else if (l.startsWith('ack ')) acked = Number(l.slice(4));
      }
    });
    p.on('exit', (code, signal) =>
      signal === 'SIGKILL'
        ? resolvePromise({ stored, acked })
        : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

describe('appliance kill -9 during heavy intake (real Postgres for the final sync)', () => {
  let db: TestDatabase;
  let world: SimWorld;
  const dir = mkdtempSync(join(tmpdir(), 'intake-kill-'));

  beforeAll(async () => {
    db = await createTestDatabase('kill');
    world = new SimWorld(new PgSqlClient(db.pool), join(dir, 'world'), new Rng(5));
    await world.start();
    await world.addSite('s1');
  });
  afterAll(async () => {
    await world.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${KILLS} SIGKILLs: every acknowledged event survives, every store reopens, and the cloud gets them all`, async () => {
    const app = await world.addAppliance('s1', 77);
    world.net.cut(app.id as PeerId);
    await app.sync.close();
    world.appliances.splice(0);
    const appDir = join(dir, 'world', app.id);
    mkdirSync(appDir, { recursive: true });
    const rng = new Rng(1234);
    // After every kill the store reopens (the next child loads it) and holds at least everything
    // acknowledged so far. A batch committed just before a kill may lack its printed ack, so the store
    // may hold more: from then on that is the floor.
    let acknowledged = 0;
    for (let k = 0; k < KILLS; k++) {
      const r = await runAndKill(appDir, 's1', app.id, rng.int(20, 400));
      expect(r.stored, `after kill ${k}`).toBeGreaterThanOrEqual(acknowledged);
      expect(r.stored - acknowledged, `after kill ${k}`).toBeLessThanOrEqual(200);
      acknowledged = r.stored + r.acked;
    }
    const restarted = await world.startAppliance(app.id, 's1');
    world.appliances.push({ id: app.id, siteId: 's1', sync: restarted });
    await restarted.flush();
    const stats = restarted.open(restarted.statsDocId).doc() as unknown as PatternStats;
    const total = Object.values(stats.patterns).reduce((a, p) => a + p.total_occurrences, 0);
    expect(total).toBeGreaterThanOrEqual(acknowledged);
    expect(total - acknowledged).toBeLessThanOrEqual(200);
    expect(total % 200).toBe(0);

    world.net.heal(app.id as PeerId);
    await world.until(
      async () => {
        await world.cloud.projectionIdle();
        const r = await world.sql.query<{ n: string }>(
          'select coalesce(sum(total_occurrences), 0)::text n from pattern_stats where appliance_id = $1',
          [app.id],
        );
        return Number(r.rows[0]?.n) === total;
      },
      3000,
      'cloud has every event',
    );
  }, 300_000);
});
