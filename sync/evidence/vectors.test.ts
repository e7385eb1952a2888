// Published test vectors: RFC 8032 (Ed25519), RFC 6962 (Merkle tree heads, audit paths, consistency
// proofs, from the Certificate Transparency reference tests) and RFC 8785 (JCS).
import { describe, expect, it } from 'vitest';
import { fromHex, pureBase64, toHex, utf8 } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import { keyPairFromSeed, sign, verify, verifyDetailed } from './ed25519.ts';
import {
  EMPTY_ROOT,
  MemoryTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import { malleate } from '../net/ed25519-strict.ts';
import { sha256, sha256Pure } from './sha256.ts';
import { nodeSha256 } from './sha256-node.ts';

const RFC8032 = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pub: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pub: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pub: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('RFC 8032 Ed25519', () => {
  for (const [i, v] of RFC8032.entries()) {
    it(`TEST ${i + 1}: key, deterministic signature, strict verification`, () => {
      const kp = keyPairFromSeed(fromHex(v.seed));
      expect(toHex(kp.publicKey)).toBe(v.pub);
      const sig = sign(fromHex(v.msg), kp.secretKey);
      expect(toHex(sig)).toBe(v.sig);
      expect(verify(fromHex(v.msg), sig, kp.publicKey)).toBe(true);
      expect(verify(utf8('other'), sig, kp.publicKey)).toBe(false);
    });
  }

  it('refuses the S+L malleation of a valid signature (non-canonical S) and small-order keys', async () => {
    const v = RFC8032[1] as (typeof RFC8032)[number];
    const sig = malleate(fromHex(v.sig));
    expect(verifyDetailed(fromHex(v.msg), sig, fromHex(v.pub))).toBe('non_canonical_s');
    // tweetnacl alone would have accepted it: the strict check is what stops it.
    const nacl = (await import('tweetnacl')).default;
    expect(nacl.sign.detached.verify(fromHex(v.msg), sig, fromHex(v.pub))).toBe(true);
    expect(verifyDetailed(utf8('x'), new Uint8Array(64), new Uint8Array(32))).toBe('weak_key');
    expect(verifyDetailed(utf8('x'), new Uint8Array(63), fromHex(v.pub))).toBe('bad_length');
  });
});

const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => fromHex(h));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CT_CONSISTENCY = [
  {
    from: 2,
    to: 8,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

describe('RFC 6962 Merkle tree', () => {
  const tree = new MemoryTree();
  for (const d of CT_LEAVES) tree.append(leafHash(d));

  it('tree heads for sizes 0..8 match the reference', () => {
    expect(toHex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
    for (let n = 1; n <= 8; n++) expect(toHex(tree.root(n)), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it('audit paths match the reference and verify', () => {
    for (const v of CT_INCLUSION) {
      const proof = inclusionProof(tree, v.index, v.size);
      expect(proof.map(toHex)).toEqual(v.proof);
      const leaf = leafHash(CT_LEAVES[v.index] as Uint8Array);
      expect(verifyInclusion(leaf, v.index, v.size, proof, tree.root(v.size))).toBe(true);
    }
  });

  it('consistency proofs match the reference and verify', () => {
    for (const v of CT_CONSISTENCY) {
      const proof = consistencyProof(tree, v.from, v.to);
      expect(proof.map(toHex)).toEqual(v.proof);
      expect(verifyConsistency(v.from, v.to, proof, tree.root(v.from), tree.root(v.to))).toBe(true);
    }
  });

  it('every proof in every tree up to 70 leaves verifies, and tampered ones do not', () => {
    const big = new MemoryTree();
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(utf8(`leaf ${i}`)));
    for (const l of leaves) big.append(l);
    for (let n = 1; n <= 70; n++) {
      const root = big.root(n);
      for (let i = 0; i < n; i++) {
        const p = inclusionProof(big, i, n);
        expect(verifyInclusion(leaves[i] as Uint8Array, i, n, p, root)).toBe(true);
        if (n > 1) {
          expect(verifyInclusion(leaves[i] as Uint8Array, (i + 1) % n, n, p, root)).toBe(false);
          const bad = p.map((h) => h.slice());
          const first = bad[0] as Uint8Array;
          first[0] = (first[0] as number) ^ 1;
          expect(verifyInclusion(leaves[i] as Uint8Array, i, n, bad, root)).toBe(false);
        }
      }
      for (let m = 1; m <= n; m++) {
        const p = consistencyProof(big, m, n);
        expect(verifyConsistency(m, n, p, big.root(m), root), `${m}→${n}`).toBe(true);
        if (m < n) expect(verifyConsistency(m, n, p, big.root(m), big.root(n - 1))).toBe(false);
      }
    }
  });
});

describe('RFC 8785 JSON canonicalization', () => {
  it('the RFC §3.2.2 sample', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = [...canonicalize(input).matchAll(/"([^"]*)":/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('numbers serialize as ECMAScript does (RFC Appendix B samples)', () => {
    const f = (hex: string) => new DataView(fromHex(hex).buffer).getFloat64(0);
    expect(canonicalize(f('0000000000000000'))).toBe('0');
    expect(canonicalize(f('8000000000000000'))).toBe('0');
    expect(canonicalize(f('0000000000000001'))).toBe('5e-324');
    expect(canonicalize(f('7fefffffffffffff'))).toBe('1.7976931348623157e+308');
    expect(canonicalize(f('4340000000000000'))).toBe('9007199254740992');
    expect(canonicalize(f('44b52d02c7e14af6'))).toBe('1e+23');
    expect(canonicalize(f('3eb0c6f7a0b5ed8d'))).toBe('0.000001');
  });

  it('refuses what has no I-JSON form instead of coercing it', () => {
    for (const v of [NaN, Infinity, undefined, () => 1, 10n, new Date(0), { a: '\ud800' }]) {
      let code: unknown;
      try {
        canonicalize(v);
      } catch (e) {
        code = (e as { code?: unknown }).code;
      }
      expect(String(code), String(v)).toMatch(/^E_EVIDENCE_JCS_/);
    }
  });
});

describe('SHA-256', () => {
  it('pure JS and node:crypto agree (FIPS 180-4 "abc" and lengths around block edges)', () => {
    expect(toHex(sha256Pure(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (let n = 0; n < 200; n++) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
      expect(toHex(sha256Pure(d))).toBe(toHex(nodeSha256(d)));
    }
    expect(sha256(utf8('abc')).length).toBe(32);
  });
});

describe('base64 (RFC 4648 §4, canonical only)', () => {
  it("Node's native codec and the portable one agree on every encoding and every refusal", async () => {
    const { nodeBase64 } = await import('./node-crypto.ts');
    for (let n = 0; n < 70; n++) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 89 + n * 7) & 255);
      const text = pureBase64.encode(d);
      expect(nodeBase64.encode(d)).toBe(text);
      expect(toHex(nodeBase64.decode(text) ?? new Uint8Array([1]))).toBe(toHex(d));
      expect(toHex(pureBase64.decode(text) ?? new Uint8Array([1]))).toBe(toHex(d));
    }
    // RFC 4648 §10 vectors, then forms a lenient decoder accepts and a canonical one must not.
    for (const [text, plain] of [
      ['', ''],
      ['Zg==', 'f'],
      ['Zm8=', 'fo'],
      ['Zm9v', 'foo'],
      ['Zm9vYmFy', 'foobar'],
    ])
      expect(new TextDecoder().decode(nodeBase64.decode(text as string))).toBe(plain);
    const refused = [
      'Zg',
      'Zg=',
      'Zh==',
      'Zm9=',
      'Zm 9v',
      'Zm9v\n',
      'Zg==Zg==',
      '-_-_',
      'Zm9v====',
      '=Zm9',
      'Zm=v',
      'é===',
      'Z',
    ];
    for (const text of refused) {
      expect(pureBase64.decode(text), text).toBeUndefined();
      expect(nodeBase64.decode(text), text).toBeUndefined();
    }
  });
});

describe('node:crypto fast path', () => {
  it('agrees with tweetnacl on valid, tampered and foreign signatures', async () => {
    const { nodeEd25519Sign, nodeEd25519Verify } = await import('./node-crypto.ts');
    const nacl = (await import('tweetnacl')).default;
    for (let i = 0; i < 50; i++) {
      const kp = nacl.sign.keyPair();
      const msg = utf8(`message ${i}`);
      const sig = nacl.sign.detached(msg, kp.secretKey);
      expect(toHex(nodeEd25519Sign(msg, kp.secretKey))).toBe(toHex(sig));
      expect(nodeEd25519Verify(msg, sig, kp.publicKey)).toBe(true);
      const bad = sig.slice();
      bad[i % 64] = (bad[i % 64] as number) ^ 1;
      expect(nodeEd25519Verify(msg, bad, kp.publicKey)).toBe(
        nacl.sign.detached.verify(msg, bad, kp.publicKey),
      );
      expect(nodeEd25519Verify(utf8('other'), sig, kp.publicKey)).toBe(false);
    }
  });
});
