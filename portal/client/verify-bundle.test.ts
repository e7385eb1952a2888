// The in-browser bundle verifier, run in Node on packets built from an in-memory log: a good bundle
// verifies on every step, and each kind of tampering fails its own step with its own code.
import { describe, expect, it } from 'vitest';
import { type Envelope, GENESIS_PREV_HASH, sealBundle } from '../../sync/evidence/bundle.ts';
import { fromBase64, toBase64, toHex, utf8 } from '../../sync/evidence/bytes.ts';
import { generateKeyPair } from '../../sync/evidence/ed25519.ts';
import { MemoryTree, inclusionProof, leafHash } from '../../sync/evidence/merkle.ts';
import { encodeVerifierKey, noteSigner, signCheckpoint } from '../../sync/evidence/note.ts';
import { PACKET_FORMAT, type VerifyPacket, verifyBundlePacket } from './verify-bundle.ts';

const ORIGIN = 'test.osiris/evidence';

function fixture(n = 5) {
  const kp = generateKeyPair();
  const log = noteSigner('test.osiris-evidence', new Uint8Array(32).fill(7));
  const tree = new MemoryTree();
  const envelopes: Envelope[] = [];
  let prev = GENESIS_PREV_HASH;
  for (let i = 1; i <= n; i++) {
    const { envelope, opened } = sealBundle(
      {
        site_id: 's1',
        appliance_id: 'app-1',
        key: toBase64(kp.publicKey),
        chain_position: i,
        prev_hash: prev,
        checked_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        kind: 'check_result',
        checks: [{ check: 'firewall', hostname: 'ws-1', status: 'pass' }],
        summary: { total_checks: 1, compliant: 1, non_compliant: 0, scanned_hosts: 1 },
      },
      kp.secretKey,
    );
    envelopes.push(envelope);
    tree.append(leafHash(opened.bytes));
    prev = opened.hash;
  }
  const checkpoint = signCheckpoint(
    { origin: ORIGIN, size: tree.size, root: tree.root(), extensions: [] },
    log,
  );
  const packet = (i: number): VerifyPacket => ({
    format: PACKET_FORMAT,
    site_id: 's1',
    appliance_id: 'app-1',
    log_index: i,
    envelope: envelopes[i] as Envelope,
    previous: i > 0 ? { envelope: envelopes[i - 1] as Envelope } : null,
    proof: inclusionProof(tree, i, tree.size).map(toHex),
    checkpoint,
    origin: ORIGIN,
    log_key: encodeVerifierKey(log),
    keys: [{ key: toBase64(kp.publicKey), from_position: 1, until_position: null }],
  });
  return { packet, envelopes };
}

const failed = (r: ReturnType<typeof verifyBundlePacket>) =>
  r.steps.filter((s) => !s.ok).map((s) => `${s.id}:${s.code}`);

/** Re-encodes a bundle body after editing its JSON text (still canonical: same key order). */
function editBody(env: Envelope, from: string, to: string): Envelope {
  const text = new TextDecoder().decode(fromBase64(env.body)).replace(from, to);
  return { body: toBase64(utf8(text)), signature: env.signature };
}

describe('verifyBundlePacket', () => {
  it('verifies every step of a genuine bundle, first and later positions', () => {
    const { packet } = fixture();
    for (const i of [0, 3, 4]) {
      const r = verifyBundlePacket(packet(i));
      expect(failed(r)).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.steps.map((s) => s.id)).toEqual(['bundle', 'signature', 'chain', 'inclusion', 'checkpoint']);
      expect(r.bundle?.position).toBe(i + 1);
    }
  });

  it('a modified field fails the signature and the inclusion proof', () => {
    const { packet } = fixture();
    const p = packet(2);
    const r = verifyBundlePacket({ ...p, envelope: editBody(p.envelope, '"pass"', '"fail"') });
    expect(r.ok).toBe(false);
    expect(failed(r)).toEqual(['signature:E_EVIDENCE_BAD_SIGNATURE', 'inclusion:E_EVIDENCE_INCLUSION']);
  });

  it('a malleated signature (S + L) is refused as such', () => {
    const { packet } = fixture();
    const p = packet(1);
    const sig = fromBase64(p.envelope.signature);
    const L = [
      0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    ];
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const v = (sig[32 + i] as number) + (L[i] ?? (i === 31 ? 0x10 : 0)) + carry;
      sig[32 + i] = v & 0xff;
      carry = v >> 8;
    }
    const r = verifyBundlePacket({ ...p, envelope: { ...p.envelope, signature: toBase64(sig) } });
    expect(failed(r)).toContain('signature:E_EVIDENCE_SIGNATURE_MALLEATED');
  });

  it('a wrong neighbour breaks the chain link; a missing one is a gap', () => {
    const { packet, envelopes } = fixture();
    const p = packet(3);
    expect(failed(verifyBundlePacket({ ...p, previous: { envelope: envelopes[1] as Envelope } }))).toEqual([
      'chain:E_EVIDENCE_CHAIN_GAP',
    ]);
    const forged = editBody(envelopes[2] as Envelope, '"ws-1"', '"ws-2"');
    expect(failed(verifyBundlePacket({ ...p, previous: { envelope: forged } }))).toEqual([
      'chain:E_EVIDENCE_BAD_SIGNATURE',
    ]);
    expect(failed(verifyBundlePacket({ ...p, previous: null }))).toEqual(['chain:E_EVIDENCE_CHAIN_GAP']);
  });

  it('a wrong log index, a forged checkpoint or another log key fail their steps', () => {
    const { packet } = fixture();
    const p = packet(2);
    expect(failed(verifyBundlePacket({ ...p, log_index: 3 }))).toEqual(['inclusion:E_EVIDENCE_INCLUSION']);
    const other = noteSigner('test.osiris-evidence', new Uint8Array(32).fill(9));
    expect(failed(verifyBundlePacket({ ...p, log_key: encodeVerifierKey(other) }))).toEqual([
      'inclusion:E_EVIDENCE_INCLUSION',
      'checkpoint:E_EVIDENCE_NOTE_UNVERIFIED',
    ]);
    const tampered = p.checkpoint.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`);
    expect(failed(verifyBundlePacket({ ...p, checkpoint: tampered }))).toContain(
      'checkpoint:E_EVIDENCE_NOTE_BAD_SIGNATURE',
    );
  });

  it('a bundle of another appliance or site, or garbage, is refused without throwing', () => {
    const { packet } = fixture();
    expect(failed(verifyBundlePacket({ ...packet(1), appliance_id: 'app-2' }))).toContain(
      'bundle:E_EVIDENCE_WRONG_SITE',
    );
    expect(verifyBundlePacket(null).ok).toBe(false);
    expect(verifyBundlePacket({ ...packet(1), envelope: { body: '!!', signature: '' } }).ok).toBe(false);
  });
});
