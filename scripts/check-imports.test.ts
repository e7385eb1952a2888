import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports } from './check-imports.ts';

let dir: string;
function file(path: string, src: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), src);
}
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('import boundary check', () => {
  it('passes the real tree', () => {
    dir = mkdtempSync(join(tmpdir(), 'imp-'));
    expect(checkImports(resolve(import.meta.dirname, '..')).problems).toEqual([]);
  });

  it('flags appliance → cloud, schemas → sync, and cycles; allows type-only cycles', () => {
    dir = mkdtempSync(join(tmpdir(), 'imp-'));
    file('appliance/a.ts', "import { x } from '../cloud/x.ts';\n");
    file('cloud/x.ts', 'export const x = 1;\n');
    file('schemas/s.ts', "export { y } from '../sync/y.ts';\n");
    file('sync/y.ts', "import { z } from './z.ts';\nexport const y = z;\n");
    file('sync/z.ts', "import { y } from './y.ts';\nexport const z = () => y;\n");
    file('sync/t1.ts', "import type { T } from './t2.ts';\nexport type U = T;\n");
    file('sync/t2.ts', "import type { U } from './t1.ts';\nexport type T = U;\n");
    file('cloud/dyn.ts', "export const m = () => import('../appliance/a.ts');\n");
    const { problems } = checkImports(dir);
    expect(problems.some((p) => p.startsWith('appliance/a.ts imports cloud/x.ts'))).toBe(true);
    expect(problems.some((p) => p.startsWith('schemas/s.ts imports sync/y.ts'))).toBe(true);
    expect(problems.some((p) => p.startsWith('cloud/dyn.ts imports appliance/a.ts'))).toBe(true);
    expect(problems.filter((p) => p.startsWith('import cycle'))).toHaveLength(1);
    expect(problems.find((p) => p.startsWith('import cycle'))).toContain('sync/y.ts');
  });
});
