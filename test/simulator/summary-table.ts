// A plain-text summary table of simulator runs (one row per run), for the CLI and soak logs.
import type { SimResult } from './run-schedule.ts';

const COLUMNS: readonly [string, (r: SimResult) => string][] = [
  ['seed', (r) => String(r.seed)],
  ['verdict', (r) => (r.ok ? 'ok' : 'FAILED')],
  ['steps', (r) => String(r.stats.steps)],
  ['apps', (r) => String(r.stats.appliances)],
  ['events', (r) => String(r.stats.events)],
  ['parts', (r) => String(r.stats.partitions)],
  ['outages', (r) => String(r.stats.outages)],
  ['crashes', (r) => String(r.stats.crashes)],
  ['cloud rst', (r) => String(r.stats.cloudRestarts)],
  ['edits', (r) => String(r.stats.partnerEdits + r.stats.adminEdits + r.stats.exceptionEvents)],
  ['promos', (r) => String(r.stats.promotions)],
  ['evidence', (r) => String(r.stats.evidence)],
  ['max diverged', (r) => String(Math.max(0, ...r.divergence.map((d) => d.diverged)))],
  ['seconds', (r) => (r.stats.ms / 1000).toFixed(2)],
];

/** Renders runs as an aligned table, with a totals line and the broken invariants of failed runs. */
export function summaryTable(results: readonly SimResult[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...results.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const width = COLUMNS.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) => row.map((x, c) => x.padStart(width[c] ?? 0)).join('  ');
  const out = [line(rows[0] ?? []), width.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  const ok = results.filter((r) => r.ok).length;
  const secs = results.reduce((s, r) => s + r.stats.ms, 0) / 1000;
  out.push(
    `${ok}/${results.length} runs held every invariant; ${secs.toFixed(1)} s, ${(secs / Math.max(1, results.length)).toFixed(2)} s per run`,
  );
  for (const r of results.filter((x) => !x.ok))
    for (const [k, i] of Object.entries(r.invariants))
      if (!i.ok) out.push(`  seed ${r.seed}: FAIL ${k}: ${i.detail}`);
  return `${out.join('\n')}\n`;
}
