// `npm run bench [-- --quick] [--only NAME] [--out FILE]`: runs every scenario against its baseline in the
// same run. `--report-only` rewrites docs/benchmarks.md from bench-results.json and the notes, running
// nothing (for edits of docs/benchmarks-notes.md). A run with --out leaves docs/benchmarks.md alone: the
// docs show bench-results.json, never a side file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../bin/commands.ts';
import type { BenchScenario } from './harness.ts';
import { ProgressBar } from './progress.ts';
import { type BenchReport, type ScenarioResult, mergeReports, toMarkdown } from './report.ts';

async function loadScenarios(): Promise<BenchScenario[]> {
  const dir = join(import.meta.dirname, 'scenarios');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const out: BenchScenario[] = [];
  for (const f of files) {
    const mod = (await import(join(dir, f))) as { scenario?: BenchScenario; scenarios?: BenchScenario[] };
    if (mod.scenario) out.push(mod.scenario);
    if (mod.scenarios) out.push(...mod.scenarios);
  }
  return out;
}

const RESULTS = 'bench-results.json';

/** docs/benchmarks.md = the notes + the tables of a full report. */
function writeBenchmarksDoc(report: BenchReport): void {
  const notesPath = 'docs/benchmarks-notes.md';
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
  writeFileSync(
    'docs/benchmarks.md',
    `# Benchmarks\n\n${notes}\n## Latest full run\n\n${toMarkdown(report)}\n`,
  );
}

export async function run(ctx: CommandContext): Promise<number> {
  if (ctx.values['report-only'] === true) {
    if (!existsSync(RESULTS)) {
      console.error(`${RESULTS} not found: run \`npm run bench\` first`);
      return 1;
    }
    writeBenchmarksDoc(JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchReport);
    console.log(`wrote docs/benchmarks.md from ${RESULTS}`);
    return 0;
  }
  const quick = ctx.values.quick === true;
  const only = typeof ctx.values.only === 'string' ? ctx.values.only.split(',') : undefined;
  const all = await loadScenarios();
  const selected = all.filter((s) => !only || only.some((o) => s.name.includes(o)));
  if (selected.length === 0) {
    console.error(`no scenario matches ${only?.join(',')}; have: ${all.map((s) => s.name).join(', ')}`);
    return 2;
  }
  // The stock stack keeps throttled saves running after repo.shutdown(); one landing in a scratch dir
  // already removed must not end the whole run. Dirs are removed at the very end for the same reason.
  process.on('unhandledRejection', (e) =>
    console.error(`unhandled rejection (late baseline save?): ${(e as Error).message}`),
  );
  const commandLine = `npm run bench${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${only ? ` --only ${only.join(',')}` : ''}`;
  const scratch: string[] = [];
  const results: ScenarioResult[] = [];
  let failed = 0;
  for (const s of selected) {
    const dir = mkdtempSync(join(tmpdir(), `osiris-bench-${s.name}-`));
    const bar = new ProgressBar(s.name.padEnd(24));
    const t0 = performance.now();
    try {
      const measurements = await s.run({
        quick,
        dir,
        databaseUrl: process.env.DATABASE_URL,
        progress: (f, l) => bar.update(f, l),
      });
      bar.done();
      results.push({
        name: s.name,
        description: s.description,
        measurements,
        seconds: (performance.now() - t0) / 1000,
        date: new Date().toISOString(),
        command: commandLine,
      });
    } catch (e) {
      bar.done('failed');
      failed++;
      console.error(`${s.name} failed:`, e);
      results.push({
        name: s.name,
        description: s.description,
        measurements: [],
        error: (e as Error).message,
        seconds: (performance.now() - t0) / 1000,
      });
    } finally {
      scratch.push(dir);
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
  let report: BenchReport = {
    date: new Date().toISOString(),
    command: commandLine,
    quick,
    machine: {
      cpus: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    scenarios: results,
  };
  const custom = typeof ctx.values.out === 'string' ? ctx.values.out : undefined;
  const out = custom ?? (quick ? 'bench-results.quick.json' : RESULTS);
  // A full run of some scenarios updates those in the full report and keeps the others.
  if (!quick && only && !custom && existsSync(out))
    report = mergeReports(JSON.parse(readFileSync(out, 'utf8')) as BenchReport, report);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(toMarkdown(report));
  const docs = !quick && !custom;
  if (docs) writeBenchmarksDoc(report);
  console.log(`wrote ${out}${docs ? ' and docs/benchmarks.md' : ''}`);
  return failed > 0 ? 1 : 0;
}
