// Fails CI when the Postgres-backed or browser tier did not run: every *.pg.test.ts and
// *.browser.test.ts file must have passing tests, and nothing may be skipped.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2] ?? '.vitest-report.json', 'utf8'));
const walk = (d, out = []) => {
  for (const e of readdirSync(d)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e.endsWith('.pg.test.ts') || e.endsWith('.browser.test.ts')) out.push(p);
  }
  return out;
};
const pgFiles = walk('.');
const results = new Map(report.testResults.map((r) => [r.name, r]));
const problems = [];
for (const f of pgFiles) {
  const r = [...results.entries()].find(([name]) => name.endsWith(f.replace(/^\.\//, '')))?.[1];
  const passed = r ? r.assertionResults.filter((a) => a.status === 'passed').length : 0;
  if (!r || passed === 0) problems.push(`${f}: ${r ? 'no passing test' : 'did not run'}`);
}
if (!pgFiles.some((f) => f.endsWith('.pg.test.ts'))) problems.push('no *.pg.test.ts files found');
if (!pgFiles.some((f) => f.endsWith('.browser.test.ts'))) problems.push('no *.browser.test.ts files found');
const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
if (skipped > 0) problems.push(`${skipped} skipped/todo tests: a skipped suite proves nothing`);
if (problems.length) {
  console.error(`test report check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `test report ok: ${report.numPassedTests} passed, ${pgFiles.length} Postgres-backed and browser files ran`,
);
