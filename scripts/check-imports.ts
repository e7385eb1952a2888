// Import boundary check (design.md): appliance/ and cloud/ never import each other, schemas/ imports
// nothing of ours, each folder imports only what its row allows, and there are no runtime import cycles.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const allowed: Record<string, readonly string[]> = {
  schemas: ['schemas'],
  sync: ['sync', 'schemas'],
  appliance: ['appliance', 'sync', 'schemas'],
  cloud: ['cloud', 'sync', 'schemas'],
  portal: ['portal', 'cloud', 'sync', 'schemas'],
  iso: ['iso', 'appliance', 'sync', 'schemas'],
};
const roots = ['bin', 'sync', 'appliance', 'cloud', 'portal', 'schemas', 'iso', 'test', 'scripts'];

function walk(dir: string, out: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|js|mjs)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Edge {
  readonly to: string;
  readonly typeOnly: boolean;
}

/** Returns every boundary violation and cycle under root (empty when clean). */
export function checkImports(root: string): { files: number; problems: string[] } {
  const files = roots.flatMap((r) => walk(join(root, r), []));
  const graph = new Map<string, Edge[]>();
  for (const file of files) {
    const edges: Edge[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(importRe)) {
      const spec = m[3] ?? m[4];
      if (spec?.startsWith('.')) edges.push({ to: resolve(dirname(file), spec), typeOnly: Boolean(m[2]) });
    }
    graph.set(file, edges);
  }
  const top = (f: string) => relative(root, f).split('/')[0] ?? '';
  const problems: string[] = [];
  for (const [file, edges] of graph) {
    const rule = allowed[top(file)];
    if (!rule) continue;
    const isTest = file.endsWith('.test.ts');
    for (const e of edges) {
      // Tests anywhere may use the shared test helpers (a Postgres schema per test, …).
      if (isTest && relative(root, e.to).startsWith('test/helpers/')) continue;
      if (!rule.includes(top(e.to))) {
        problems.push(
          `${relative(root, file)} imports ${relative(root, e.to)} (${top(file)}/ may import only ${rule.join(', ')})`,
        );
      }
    }
  }
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 1);
    stack.push(f);
    for (const e of graph.get(f) ?? []) {
      if (e.typeOnly || !graph.has(e.to)) continue;
      const s = state.get(e.to);
      if (s === 1) {
        const cycle = [...stack.slice(stack.indexOf(e.to)), e.to];
        problems.push(`import cycle: ${cycle.map((c) => relative(root, c)).join(' -> ')}`);
      } else if (s === undefined) visit(e.to);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return { files: files.length, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { files, problems } = checkImports(resolve(import.meta.dirname, '..'));
  if (problems.length > 0) {
    console.error(`import check failed (${problems.length}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`import check ok: ${files} files, no boundary violations, no cycles`);
}
