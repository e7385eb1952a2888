import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { htmlReport } from './html-report.ts';
import { planSchedule } from './planner.ts';
import { runSchedule } from './run-schedule.ts';
import { ALL_FAULTS, type Schedule, isFault, parseSchedule } from './schedule.ts';
import { shrinkSchedule, writeReplay } from './shrink.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runFresh(s: Schedule) {
  const db = await createTestDatabase('sim');
  try {
    return await runSchedule(s, { sql: new PgSqlClient(db.pool) });
  } finally {
    await db.drop();
  }
}

const osiris = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/osiris.js', 'simulate', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('simulator: injected bug, shrinking, replay, report', () => {
  it('catches an injected bug (an appliance acknowledges a batch it never journals), shrinks its faults, and the replay file still fails', async () => {
    const original = planSchedule({
      seed: 3,
      sites: 1,
      appliances: 2,
      steps: 60,
      faults: ALL_FAULTS,
      inject: 'lose-one-batch',
    });
    const failing = await runFresh(original);
    expect(failing.ok).toBe(false);
    expect(failing.invariants.no_lost_or_doubled_increment?.ok).toBe(false);
    const before = original.ops.filter(isFault).length;
    expect(before).toBeGreaterThan(2);

    const shrunk = await shrinkSchedule(original, failing, { run: runFresh, maxRuns: 8 });
    expect(shrunk.faultsAfter).toBeLessThan(before);
    expect(shrunk.result.ok).toBe(false);
    const file = join(dir, 'replay.json');
    writeReplay(file, shrunk);

    const replayed = parseSchedule(readFileSync(file, 'utf8'));
    expect(replayed.ops.filter(isFault)).toHaveLength(shrunk.faultsAfter);
    expect((await runFresh(replayed)).invariants.no_lost_or_doubled_increment?.ok).toBe(false);

    // The CLI replays the file exactly: same failure, exit 1.
    const cli = osiris('--replay', file, '--json');
    expect(cli.status, cli.stderr).toBe(1);
    const out = JSON.parse(cli.stdout) as { ok: boolean; invariants: Record<string, { ok: boolean }> };
    expect(out.ok).toBe(false);
    expect(out.invariants.no_lost_or_doubled_increment?.ok).toBe(false);
  }, 240_000);

  it('catches an injected projector bug (incremental passes skip rule-outcome changes): projection_pure fails, the same seed without it passes', async () => {
    const shape = { seed: 5, sites: 1, appliances: 2, steps: 40, faults: ALL_FAULTS } as const;
    // Projection checkpoints every 4 steps make incremental passes happen mid-run (deterministically).
    const broken = await runFresh({
      ...planSchedule({ ...shape, inject: 'projector-skips-rule-outcomes' }),
      checkpointEvery: 4,
    });
    expect(broken.ok).toBe(false);
    expect(broken.invariants.projection_pure?.ok).toBe(false);
    const sound = await runFresh({ ...planSchedule(shape), checkpointEvery: 4 });
    expect(sound.invariants.projection_pure?.ok).toBe(true);
    expect(sound.ok, JSON.stringify(sound.invariants)).toBe(true);
  }, 240_000);

  it('writes a self-contained HTML report with a partition timeline and a divergence plot', async () => {
    const s = planSchedule({
      seed: 7,
      sites: 1,
      appliances: 2,
      steps: 60,
      faults: ['partition', 'outage', 'crash'],
    });
    const r = await runFresh(s);
    expect(r.ok, JSON.stringify(r.invariants)).toBe(true);
    expect(r.links.length).toBeGreaterThan(0);
    expect(r.divergence.some((d) => d.diverged > 0)).toBe(true);
    const html = htmlReport([r]);
    writeFileSync(join(dir, 'r.html'), html);
    expect(html).toContain('<svg id="timeline"');
    expect(html).toMatch(/<rect class="(partition|outage)"/);
    expect(html).toContain('<svg id="divergence"');
    expect(html).toContain('<polyline class="diverged"');
    expect(html).not.toMatch(/<script|src="http/);

    const out = join(dir, 'cli.html');
    const cli = osiris('--seed', '7', '--sites', '1', '--appliances', '2', '--steps', '40', '--report', out);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('1/1 runs held every invariant');
    const file = readFileSync(out, 'utf8');
    expect(file).toContain('<svg id="timeline"');
    expect(file).toContain('<svg id="divergence"');
  }, 180_000);
});
