import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Measurement } from './harness.ts';
import { type BenchReport, mergeReports, toMarkdown } from './report.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const m = (ours: number, base: number): Measurement => ({
  metric: 'events/s',
  unit: 'ev/s',
  higherIsBetter: true,
  ours: { median: ours, min: ours, max: ours, samples: 1 },
  baseline: { median: base, min: base, max: base, samples: 1 },
  baselineName: 'stock',
  goal: { value: 50, kind: 'ratio' },
});

const report = (date: string, scenarios: [string, number][]): BenchReport => ({
  date,
  command: 'npm run bench',
  quick: false,
  machine: { cpus: 'cpu', cores: 2, memGiB: 24, node: 'v20', platform: 'linux-x64' },
  scenarios: scenarios.map(([name, ours]) => ({
    name,
    description: `${name} scenario`,
    measurements: [m(ours, 10)],
    seconds: 1,
  })),
});

describe('bench report', () => {
  it('a partial run replaces its scenarios and keeps the others with their own date', () => {
    const merged = mergeReports(
      report('2026-11-28T00:00:00Z', [
        ['p1', 100],
        ['p2', 200],
      ]),
      report('2026-11-29T00:00:00Z', [['p2', 900]]),
    );
    expect(merged.scenarios.map((s) => s.name)).toEqual(['p1', 'p2']);
    expect(merged.scenarios[0]?.date).toBe('2026-11-28T00:00:00Z');
    expect(merged.scenarios[1]?.measurements[0]?.ours.median).toBe(900);
    const md = toMarkdown(merged);
    expect(md).toContain('90.00×'); // 900 against 10
    expect(md).toContain('✅');
    expect(md).toContain('10.00×'); // 100 against 10, under the 50× goal
    expect(md).toContain('❌');
  });

  it('--report-only rewrites docs/benchmarks.md from bench-results.json and the notes, running nothing', () => {
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'benchmarks-notes.md'), 'NOTES-MARKER\n');
    writeFileSync(
      join(dir, 'bench-results.json'),
      JSON.stringify(report('2026-11-29T00:00:00Z', [['p1', 600]])),
    );
    const osiris = resolve(import.meta.dirname, '../../bin/osiris.js');
    const r = spawnSync(process.execPath, [osiris, 'bench', '--report-only'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = readFileSync(join(dir, 'docs', 'benchmarks.md'), 'utf8');
    expect(doc.indexOf('NOTES-MARKER')).toBeGreaterThan(0);
    expect(doc.indexOf('## Latest full run')).toBeGreaterThan(doc.indexOf('NOTES-MARKER'));
    expect(doc).toContain('60.00×');
    rmSync(join(dir, 'bench-results.json'));
    const missing = spawnSync(process.execPath, [osiris, 'bench', '--report-only'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('bench-results.json not found');
  }, 60_000);
});
