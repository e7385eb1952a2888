// CPU by process group, from /proc, for reading a benchmark beside it (Linux only):
//   node scripts/cpu-by-group.mjs [SECONDS]
// Every SECONDS (default 5) it prints the % of one core each group used since the last line, over the
// real elapsed time: pg (postgres), gen (P3 fleet children), cloud (bin/osiris.js), other.
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const every = Number(process.argv[2] ?? 5) * 1000;
const TICKS = 100; // USER_HZ on Linux
const group = (cmd) =>
  /postgres/.test(cmd) ? 'pg' : /fleet-child/.test(cmd) ? 'gen' : /osiris\.js/.test(cmd) ? 'cloud' : 'other';

function sample() {
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.set(pid, { g: group(cmd), t: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

let prev = sample();
let t0 = performance.now();
setInterval(() => {
  const cur = sample();
  const t1 = performance.now();
  const sums = { cloud: 0, gen: 0, pg: 0, other: 0 };
  for (const [pid, { g, t }] of cur) sums[g] += t - (prev.get(pid)?.t ?? t);
  const secs = (t1 - t0) / 1000;
  const pct = (v) => `${((v / TICKS / secs) * 100).toFixed(0)}%`;
  console.log(
    `${new Date().toISOString().slice(11, 19)} cloud ${pct(sums.cloud)} gen ${pct(sums.gen)} pg ${pct(sums.pg)} other ${pct(sums.other)}`,
  );
  prev = cur;
  t0 = t1;
}, every);
