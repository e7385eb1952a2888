import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './commands.ts';

const bin = resolve(import.meta.dirname, 'osiris.js');
function osiris(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('osiris CLI', () => {
  it('prints top-level help listing every command', () => {
    const r = osiris('--help');
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.out).toContain(c.path.join(' '));
  });

  it('every command has --help that exits 0 and shows its usage', () => {
    for (const c of commands) {
      const r = osiris(...c.path, '--help');
      expect(r.code, c.path.join(' ')).toBe(0);
      expect(r.out).toContain(c.usage);
    }
  });

  it('every command in the table is implemented (none answers E_NOT_IMPLEMENTED any more)', () => {
    expect(commands.filter((c) => !c.load).map((c) => c.path.join(' '))).toEqual([]);
  });

  it('unknown commands and unknown flags are usage errors (exit 2)', () => {
    expect(osiris('frobnicate').code).toBe(2);
    const r = osiris('cloud', 'start', '--no-such-flag');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: osiris cloud start');
  });
});
