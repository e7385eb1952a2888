import { describe, expect, it } from 'vitest';
import { compileSafeRegex, REGEX_INPUT_CAP } from './regex-guard.ts';

describe('compileSafeRegex', () => {
  const safe = [
    'timeout|refused',
    '^Windows Server 20(19|22)',
    'disk .* full',
    '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
    '(?:https?|ftp)?://',
    '[a-z*+]+@',
    'a\\*b\\+c',
    '(?i)error',
    '^(?<name>[a-z]+)$',
    'x{3}y{2}',
  ];
  it.each(safe)('accepts %s', (p) => expect(compileSafeRegex(p).ok).toBe(true));

  const unsafe = [
    '(a+)+$',
    '(a*)*b',
    '(a|a)*b',
    '(?:x|y)+z',
    '.*.*x',
    'a+b+c',
    '(\\w+\\s?)*$',
    '(a)\\1',
    '(?<n>a)\\k<n>',
    '(',
    '[',
    'a{1,100}b{1,100}',
    'x'.repeat(257),
  ];
  it.each(unsafe)('rejects %s', (p) => expect(compileSafeRegex(p).ok).toBe(false));

  it('accepted patterns stay fast on adversarial input of the capped length', () => {
    const input = 'a'.repeat(REGEX_INPUT_CAP);
    for (const p of ['.*x', 'a*b', '\\d+x', '(?:ab|cd)?.*z', 'a{1,64}b?c']) {
      const r = compileSafeRegex(p);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      const t = performance.now();
      r.regex.test(input);
      expect(performance.now() - t).toBeLessThan(1000);
    }
  });
});
