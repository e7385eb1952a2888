import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { encodeHeads, isValidDocumentId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { fastBs58checkActive, installFastBs58check, restoreStockBs58check } from './fast-bs58check.ts';

// automerge-repo's own head encoding, reached through its public export after the swap.
// The bs58check instance automerge-repo uses, resolved the way automerge-repo resolves it.
const AutomergeUrl = createRequire(import.meta.resolve('@automerge/automerge-repo'))('bs58check') as {
  encode(payload: Uint8Array): string;
  decode(text: string): Uint8Array;
  decodeUnsafe(text: string): Uint8Array | undefined;
};
const hexHead = (b: Uint8Array) => Buffer.from(b).toString('hex');
const encode = (b: Uint8Array) => encodeHeads([hexHead(b)] as Parameters<typeof encodeHeads>[0])[0];

describe('installFastBs58check', () => {
  const original = installFastBs58check();

  it('encodes exactly as the library does (document ids and heads, repeated and fresh)', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = new Uint8Array(randomBytes(i % 3 === 0 ? 16 : 32));
      const ours = encode(bytes);
      expect(ours).toBe(original.encode(bytes));
      // The memo answers the second time; same text.
      expect(encode(bytes)).toBe(ours);
    }
    expect(original.encode(new Uint8Array(0))).toBe(encode(new Uint8Array(0)));
  });

  it('a memo hit is not affected by the caller mutating its input afterwards', () => {
    const bytes = new Uint8Array(randomBytes(32));
    const first = encode(bytes);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    expect(encode(bytes)).toBe(original.encode(bytes));
    expect(encode(bytes)).not.toBe(first);
  });

  it('a remembered decode hands out a fresh copy each time', () => {
    const text = original.encode(new Uint8Array([9, 8, 7, 6]));
    const a = AutomergeUrl.decodeUnsafe(text) as Uint8Array;
    a[0] = 0;
    const b = AutomergeUrl.decodeUnsafe(text) as Uint8Array;
    expect([...b]).toEqual([9, 8, 7, 6]);
    expect(b).not.toBe(a);
  });

  it('decodes and refuses exactly as the library does', () => {
    for (let i = 0; i < 300; i++) {
      const bytes = new Uint8Array(randomBytes(16));
      const text = original.encode(bytes);
      expect(hexHead(AutomergeUrl.decodeUnsafe(text) as Uint8Array)).toBe(hexHead(bytes));
      expect(isValidDocumentId(text)).toBe(true);
      // One character changed: the checksum (almost always) fails, and both agree either way.
      const j = i % text.length;
      const alt = text[j] === '2' ? '3' : '2';
      const bad = text.slice(0, j) + alt + text.slice(j + 1);
      expect(AutomergeUrl.decodeUnsafe(bad)).toEqual(original.decodeUnsafe(bad));
      expect(isValidDocumentId(bad)).toBe(original.decodeUnsafe(bad) !== undefined);
      let theirs: unknown;
      try {
        theirs = original.decode(bad);
      } catch (e) {
        theirs = (e as Error).message;
      }
      let mine: unknown;
      try {
        mine = AutomergeUrl.decode(bad);
      } catch (e) {
        mine = (e as Error).message;
      }
      expect(mine).toEqual(theirs);
    }
    for (const text of ['', '1', '11', '111', '1111', '0OIl', 'zzzz', '2222222']) {
      expect(AutomergeUrl.decodeUnsafe(text)).toEqual(original.decodeUnsafe(text));
    }
  });

  it('can be switched back to the library functions (benchmark baselines) and on again', () => {
    expect(fastBs58checkActive()).toBe(true);
    restoreStockBs58check();
    expect(fastBs58checkActive()).toBe(false);
    expect(AutomergeUrl.encode(new Uint8Array([1, 2, 3]))).toBe(original.encode(new Uint8Array([1, 2, 3])));
    const bytes = new Uint8Array(randomBytes(16));
    const stockText = AutomergeUrl.encode(bytes);
    installFastBs58check();
    expect(fastBs58checkActive()).toBe(true);
    expect(AutomergeUrl.encode(bytes)).toBe(stockText);
  });
});
