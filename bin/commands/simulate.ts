import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { PgliteSqlClient } from '../../sync/sql/pglite-client.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { ProgressBar } from '../../test/bench/progress.ts';
import {
  ALL_FAULTS,
  type Fault,
  type Schedule,
  type SimResult,
  htmlReport,
  parseSchedule,
  planSchedule,
  runSchedule,
  shrinkSchedule,
  summaryTable,
  writeReplay,
} from '../../test/simulator/index.ts';
import { UsageError, intOption, stringOption } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

/** A fresh database for one run: a private schema on DATABASE_URL, else in-memory PGlite. */
async function freshSql(): Promise<{ sql: SqlClient; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const sql = await PgliteSqlClient.open();
    return { sql, drop: () => sql.close() };
  }
  const schema = `sim_${randomBytes(6).toString('hex')}`;
  const admin = new PgSqlClient(url);
  await admin.query(`create schema ${schema}`);
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const sql = new PgSqlClient(u.toString());
  return {
    sql,
    drop: async () => {
      await sql.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.close();
    },
  };
}

/** Runs one schedule on a fresh database (with a progress bar for long runs). */
async function runFresh(s: Schedule, bar?: ProgressBar): Promise<SimResult> {
  const db = await freshSql();
  try {
    return await runSchedule(s, {
      sql: db.sql,
      ...(bar ? { onStep: (i: number, n: number) => bar.update(i / n, `step ${i}/${n}`) } : {}),
    });
  } finally {
    await db.drop();
  }
}

/**
 * `osiris simulate`: one seeded run, a sweep (`--sweep N` / `--seeds N` runs from --seed), or a replay
 * (`--replay FILE`). A failing run is shrunk to a minimal fault schedule written to a replay file.
 */
export async function run(ctx: CommandContext): Promise<number> {
  const v = ctx.values;
  const faults = (stringOption(v.faults)?.split(',') ?? [...ALL_FAULTS]).filter(Boolean) as Fault[];
  for (const f of faults)
    if (!ALL_FAULTS.includes(f)) throw new UsageError(`unknown fault ${f}; known: ${ALL_FAULTS.join(',')}`);
  const log = (s: string) => {
    if (!v.json) process.stderr.write(s);
  };
  const schedules: Schedule[] = [];
  const replay = stringOption(v.replay);
  if (replay) schedules.push(parseSchedule(readFileSync(replay, 'utf8')));
  else {
    const first = intOption(v.seed, 1);
    const count = intOption(v.seeds, intOption(v.sweep, v.soak ? 200 : 1));
    for (let seed = first; seed < first + count; seed++)
      schedules.push(
        planSchedule({
          seed,
          sites: intOption(v.sites, 2),
          appliances: intOption(v.appliances, 3),
          steps: intOption(v.steps, 200),
          faults,
        }),
      );
  }
  const results: SimResult[] = [];
  const sweepBar = schedules.length > 1 && !v.json ? new ProgressBar('simulate') : undefined;
  for (const s of schedules) {
    const stepBar =
      schedules.length === 1 && s.steps >= 500 && !v.json ? new ProgressBar(`seed ${s.seed}`) : undefined;
    const r = await runFresh(s, stepBar);
    stepBar?.done();
    results.push(r);
    sweepBar?.update(results.length / schedules.length, `seed ${s.seed} ${r.ok ? 'ok' : 'FAILED'}`);
  }
  sweepBar?.done(`${results.filter((r) => r.ok).length}/${results.length} ok`);

  const failed = results.find((r) => !r.ok);
  let replayFile: string | undefined;
  if (failed && !replay && !v['no-shrink']) {
    log(`seed ${failed.seed} failed; shrinking its fault schedule (delta debugging)…\n`);
    const shrunk = await shrinkSchedule(failed.schedule, failed, {
      run: (s) => runFresh(s),
      maxRuns: intOption(v['shrink-runs'], 40),
      onRun: (n, k) => log(`  try ${n}: ${k} faults\n`),
    });
    replayFile = stringOption(v.out) ?? `sim-failure-seed-${failed.seed}.json`;
    writeReplay(replayFile, shrunk);
    log(
      `seed ${failed.seed}: shrunk ${shrunk.faultsBefore} → ${shrunk.faultsAfter} faults in ${shrunk.runs} runs; replay: osiris simulate --replay ${replayFile}\n`,
    );
  }
  const report = stringOption(v.report);
  if (report) writeFileSync(report, htmlReport(results));
  if (v.json)
    process.stdout.write(
      `${JSON.stringify(
        results.length === 1
          ? { ...results[0], ...(replayFile ? { replay: replayFile } : {}) }
          : { ok: results.every((r) => r.ok), ...(replayFile ? { replay: replayFile } : {}), runs: results },
      )}\n`,
    );
  else process.stdout.write(summaryTable(results));
  if (report) log(`report: ${report}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}
