import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POSITIVE_CASES } from './corpus.ts';
import { createScrubber } from './scrubber.ts';

const scrubber = createScrubber(new Uint8Array(32).fill(3));

// JSON plus strings built from PHI fragments, so the property exercises real redactions.
const phiString = fc
  .array(fc.oneof(fc.constantFrom(...POSITIVE_CASES.map((c) => c.text)), fc.string({ maxLength: 20 })), {
    maxLength: 4,
  })
  .map((parts) => parts.join(' '));
const json = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    phiString,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('ssn', 'email', 'ROOM-3', 'dob')),
      tie('v'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).v;

describe('scrub properties', () => {
  it('never throws on any JSON and is idempotent', () => {
    fc.assert(
      fc.property(json, (input) => {
        const once = scrubber.scrub(input);
        const twice = scrubber.scrub(once.value);
        expect(twice.value).toEqual(once.value);
        expect(twice.redactions).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary JSON text', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const input: unknown = JSON.parse(text);
        const once = scrubber.scrub(input);
        expect(scrubber.scrub(once.value).value).toEqual(once.value);
      }),
      { numRuns: 300 },
    );
  });
});
