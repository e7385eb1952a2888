// Profiling driver for P2: builds the full 7-day outage once (cached in $P2_DIR, default /tmp/osiris-p2),
// then runs one catch-up against DATABASE_URL and prints its timings. Profile it with
//   DATABASE_URL=… node --cpu-prof --cpu-prof-dir=DIR --import tsx test/bench/profile-p2.ts
// and read DIR's largest profile with scripts/cpuprofile-summary.mjs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Built, buildOutage, catchUp } from './scenarios/p2-catch-up.ts';

const dir = process.env.P2_DIR ?? '/tmp/osiris-p2';
const full = { drift: 1_000_000, audit: 50_000, evidence: 10_000, bursts: 7 * 24 * 4 };
const meta = join(dir, 'outage.json');
mkdirSync(dir, { recursive: true });
let built: Built;
if (existsSync(meta)) {
  const m = JSON.parse(readFileSync(meta, 'utf8')) as Omit<Built, 'secretKey'> & { secretKey: number[] };
  built = { ...m, secretKey: Uint8Array.from(m.secretKey) };
} else {
  built = await buildOutage(join(dir, 'outage'), full, () => undefined);
  writeFileSync(meta, JSON.stringify({ ...built, secretKey: [...built.secretKey] }));
}
const ctx = { quick: false, dir, databaseUrl: process.env.DATABASE_URL, progress: () => undefined };
const r = await catchUp(ctx, built, mkdtempSync(join(dir, 'run-')), full);
console.log(JSON.stringify(r));
process.exit(0);
