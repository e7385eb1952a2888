import { describe, expect, it } from 'vitest';
import { NEGATIVE_CASES, POSITIVE_CASES } from './corpus.ts';
import { createScrubber } from './scrubber.ts';

const scrubber = createScrubber(new Uint8Array(32).fill(7));

describe('PHI corpus', () => {
  it('has at least 40 positive and 40 negative cases covering every category', () => {
    expect(POSITIVE_CASES.length).toBeGreaterThanOrEqual(40);
    expect(NEGATIVE_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(POSITIVE_CASES.map((c) => c.category)).size).toBe(15);
  });

  it.each(POSITIVE_CASES)('redacts $category in $text', ({ text, secret, category }) => {
    const r = scrubber.scrubString(text);
    expect(r.text).not.toContain(secret);
    expect(r.categories).toContain(category);
    expect(r.text).toMatch(new RegExp(`\\[${category}-REDACTED-[0-9a-f]{8}\\]`));
  });

  it.each(NEGATIVE_CASES)('keeps %s', (text) => {
    expect(scrubber.scrubString(text)).toEqual({ text, categories: [] });
  });
});

describe('scrub (structured)', () => {
  it('walks objects and arrays, keys included, and reports paths without PHI', () => {
    const input = {
      hostname: 'ROOM-12',
      details: {
        message: 'MRN: 00482913 on ws-01 (10.0.0.7)',
        ssn: 123456789,
        dateOfBirth: '1961-04-12',
        ip_address: '10.0.0.7',
        'PATIENT-SMITH': { ok: true },
        list: ['jane@example.com', 42, null],
      },
    };
    const { value, redactions } = scrubber.scrub(input);
    const text = JSON.stringify(value);
    for (const secret of ['ROOM-12', '00482913', '123456789', '1961-04-12', 'jane@', 'SMITH'])
      expect(text).not.toContain(secret);
    expect(text).toContain('10.0.0.7');
    expect(text).toContain('ws-01');
    expect(redactions.map((r) => r.category).sort()).toEqual(
      ['DOB', 'EMAIL', 'MRN', 'PATIENT-HOST', 'PATIENT-HOST', 'SSN'].sort(),
    );
    expect(redactions.find((r) => r.category === 'EMAIL')?.path).toBe('$.details.list[0]');
    expect(redactions.find((r) => r.category === 'SSN')?.path).toBe('$.details.ssn');
    for (const r of redactions) expect(r.path).not.toMatch(/SMITH|ROOM-12/);
    expect(input.details.ssn).toBe(123456789); // input untouched
  });

  it('equal values share a tag; another appliance key gives another tag', () => {
    const a = scrubber.scrubString('SSN 123-45-6789 and ssn: 123 45 6789').text;
    const tags = a.match(/\[SSN-REDACTED-[0-9a-f]{8}\]/g) ?? [];
    expect(tags).toHaveLength(2);
    expect(tags[0]).toBe(tags[1]);
    const other = createScrubber(new Uint8Array(32).fill(8)).scrubString('123-45-6789').text;
    expect(other).not.toBe(scrubber.scrubString('123-45-6789').text);
  });

  it('survives cycles, depth, Dates, __proto__ keys and throwing getters', () => {
    const cyclic: Record<string, unknown> = { a: 'x' };
    cyclic.self = cyclic;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const throwing = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const r = scrubber.scrub({
      cyclic,
      deep,
      when: new Date(0),
      proto: JSON.parse('{"__proto__": {"x": 1}}'),
      throwing,
    });
    const v = r.value as Record<string, unknown>;
    expect((v.cyclic as Record<string, unknown>).self).toBe('[CIRCULAR]');
    expect(v.when).toBe('1970-01-01T00:00:00.000Z');
    expect(Object.keys(v.proto as object)).toEqual(['__proto__']);
    expect(r.redactions.some((x) => x.category === 'UNSCRUBBABLE')).toBe(true);
  });

  it('rejects a short key', () => {
    expect(() => createScrubber(new Uint8Array(8))).toThrow(
      expect.objectContaining({ code: 'E_PHI_KEY_TOO_SHORT' }),
    );
  });

  it('stays fast on long hostile strings', () => {
    const t = performance.now();
    for (const s of [
      'a'.repeat(200_000),
      '1-'.repeat(100_000),
      `${'x.'.repeat(50_000)}@`,
      '/'.repeat(100_000),
    ])
      scrubber.scrubString(s);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
