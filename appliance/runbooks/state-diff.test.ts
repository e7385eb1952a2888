import { describe, expect, it } from 'vitest';
import { parseDetect, parseRemediate, parseVerify } from './runbook-protocol.ts';
import { diffState, parseState } from './state-diff.ts';

const r = (exitCode: number | null, stdout: string) => ({
  exitCode,
  signal: null,
  stdout,
  stderr: '',
  durationMs: 1,
});

describe('state capture', () => {
  it('parses key=value lines', () => {
    expect(parseState('a=1\n\n# c\nb = two=2\nnokey\n=x\na=dup\n__proto__=p\n')).toEqual(
      JSON.parse('{"a":"1","b":"two=2","__proto__":"p"}'),
    );
  });

  it('diffs added, removed and changed keys', () => {
    expect(diffState({ a: '1', b: '2', c: '3' }, { a: '1', b: '20', d: '4' })).toEqual({
      added_keys: ['d'],
      removed_keys: ['c'],
      changed_keys: ['b'],
      changes: {
        b: { before: '2', after: '20' },
        c: { before: '3', after: null },
        d: { before: null, after: '4' },
      },
    });
  });
});

describe('runbook protocol', () => {
  it.each([
    [parseDetect, r(0, 'COMPLIANT\n'), 'compliant'],
    [parseDetect, r(1, 'checking\nDRIFT:PermitRootLogin=yes\n'), 'drift'],
    [parseDetect, r(0, 'DRIFT:x'), 'protocol_error'],
    [parseDetect, r(1, 'COMPLIANT'), 'protocol_error'],
    [parseDetect, r(127, ''), 'protocol_error'],
    [parseDetect, r(null, ''), 'protocol_error'],
    [parseRemediate, r(0, 'REMEDIATED'), 'remediated'],
    [parseRemediate, r(1, 'REMEDIATED'), 'protocol_error'],
    [parseVerify, r(0, 'VERIFIED'), 'verified'],
    [parseVerify, r(1, 'VERIFY_FAILED'), 'verify_failed'],
    [parseVerify, r(1, 'VERIFY_FAILED:still yes'), 'verify_failed'],
    [parseVerify, r(2, 'oops'), 'protocol_error'],
  ] as const)('%#: %o → %s', (parse, result, kind) => {
    expect(parse(result).kind).toBe(kind);
  });
});
