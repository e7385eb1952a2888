// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, optionally within a time
// window, and the share of named functions. The profile figures in docs/benchmarks-notes.md come from it.
//   node scripts/cpuprofile-summary.mjs FILE [--from SEC] [--to SEC] [--top N] [--share REGEX] [--under REGEX]
// --share sums the self time of matching functions; --under sums every sample with a matching frame on
// its stack (the function and everything it called).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    top: { type: 'string' },
    share: { type: 'string' },
    under: { type: 'string' },
  },
});
const file = positionals[0];
if (!file) {
  console.error(
    'usage: node scripts/cpuprofile-summary.mjs FILE [--from SEC] [--to SEC] [--top N] [--share REGEX] [--under REGEX]',
  );
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8'));
const from = Number(values.from ?? 0) * 1e6;
const to = values.to === undefined ? Infinity : Number(values.to) * 1e6;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const under = values.under ? new RegExp(values.under) : undefined;
let underTotal = 0;
const name = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}`.trim();
const self = new Map();
let t = 0;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  if (t < from || t > to) continue;
  const k = name(byId.get(p.samples[i]).callFrame);
  self.set(k, (self.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
  if (under) {
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id))
      if (under.test(name(byId.get(id).callFrame))) {
        underTotal += p.timeDeltas[i] ?? 0;
        break;
      }
  }
  total += p.timeDeltas[i] ?? 0;
}
const ms = (us) => `${(us / 1000).toFixed(0).padStart(8)} ms`;
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(
  `window ${(from / 1e6).toFixed(0)}–${to === Infinity ? 'end' : (to / 1e6).toFixed(0)} s: ${ms(total)} sampled`,
);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top ?? 25)))
  console.log(`${ms(v)} ${pct(v)}  ${k}`);
if (values.share) {
  const re = new RegExp(values.share);
  const sum = [...self].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  console.log(`share of /${values.share}/: ${ms(sum)} ${pct(sum)}`);
}
if (under) console.log(`under /${values.under}/: ${ms(underTotal)} ${pct(underTotal)}`);
