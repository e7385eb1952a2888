import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOSTILE } from './hostile-strings.test-helpers.ts';
import { buildCommand, shellQuote } from './shell-quote.ts';

const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => existsSync(s));

describe('shellQuote', () => {
  it('leaves safe words bare and quotes the rest', () => {
    expect(shellQuote('LIN-SSH-001')).toBe('LIN-SSH-001');
    expect(shellQuote('/tmp/a.b')).toBe('/tmp/a.b');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('refuses NUL and empty argument vectors', () => {
    expect(() => shellQuote('a\0b')).toThrow(expect.objectContaining({ code: 'E_RUNBOOK_BAD_ARGUMENT' }));
    expect(() => buildCommand([])).toThrow(expect.objectContaining({ code: 'E_RUNBOOK_BAD_ARGUMENT' }));
  });

  it.each(shells)('every hostile string survives %s unchanged, as one argument', (shell) => {
    for (const s of HOSTILE) {
      const out = execFileSync(shell, ['-c', buildCommand(['printf', '%s|%s', s, 'END'])], {
        encoding: 'utf8',
      });
      expect(out).toBe(`${s}|END`);
    }
  });
});
