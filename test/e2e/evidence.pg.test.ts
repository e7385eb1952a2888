import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceOutbox } from '../../appliance/evidence/outbox.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { fromBase64, fromHex, toBase64 } from '../../sync/evidence/bytes.ts';
import { type Envelope, openEnvelope, sealBundle, uploadStatement } from '../../sync/evidence/bundle.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../sync/evidence/merkle.ts';
import { openCheckpoint, parseVerifierKey } from '../../sync/evidence/note.ts';
import { verifyExport } from '../../sync/evidence/verify-export.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import { EvidenceLog } from '../../cloud/evidence/evidence-log.ts';
import { exportEvidence } from '../../cloud/evidence/export.ts';

let db: TestDatabase;
let cloud: CloudNode;
const dirs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('evid');
  cloud = await startCloud({ databaseUrl: db.url, serverName: 'test.osiris' });
  await cloud.sync.registry.createPartner('p1', 'Partner');
  await cloud.sync.createSite({ id: 's1', partnerId: 'p1', name: 'Clinic 1' });
  await cloud.sync.createSite({ id: 's2', partnerId: 'p1', name: 'Clinic 2' });
}, 60_000);
afterAll(async () => {
  await cloud?.close();
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function appliance(site = 's1') {
  const kp = nacl.sign.keyPair();
  const token = await cloud.sync.registry.issueEnrollmentToken(site);
  const { applianceId } = await cloud.sync.registry.enroll(token, kp.publicKey);
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  dirs.push(dir);
  const outbox = new EvidenceOutbox({
    path: join(dir, 'evidence.db'),
    siteId: site,
    applianceId,
    secretKey: kp.secretKey,
  });
  return { kp, applianceId, outbox, dir };
}

const record = (i: number) => ({
  kind: 'runbook_execution' as const,
  hostId: `host-${i % 7}`,
  checkType: 'firewall',
  outcome: 'healed' as const,
  observedAt: new Date(Date.now() - 7 * 86_400_000 + i * 1000).toISOString(),
  runbookId: 'LIN-FW-001',
  stateBefore: { active: false },
  stateAfter: { active: true },
  diff: { changed_keys: ['active'] },
});

/** Signs the bundle after `head` for appliance `a` (fields overridable: tampering tests). */
function sealNext(
  a: { applianceId: string; kp: nacl.SignKeyPair },
  head: { position: number; hash: string },
  over: Record<string, unknown> = {},
  key = a.kp.secretKey,
): Envelope {
  return sealBundle(
    {
      site_id: 's1',
      appliance_id: a.applianceId,
      key: toBase64(a.kp.publicKey),
      chain_position: head.position + 1,
      prev_hash: head.hash,
      checked_at: new Date().toISOString(),
      kind: 'check_result',
      checks: [],
      summary: { total_checks: 0, compliant: 0, non_compliant: 0, scanned_hosts: 0 },
      ...over,
    },
    key,
  ).envelope;
}

/** Uploads raw envelopes as `who` (signing the upload with `key`). */
async function upload(who: string, key: Uint8Array, bundles: Envelope[]) {
  const auth = nacl.sign.detached(
    uploadStatement(
      who,
      bundles.map((b) => b.body),
    ),
    key,
  );
  const res = await fetch(`${cloud.url}/api/evidence/bundles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appliance_id: who, bundles, auth: toBase64(auth) }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { results: { status: string; code?: string }[]; error?: { code: string } },
  };
}

describe('evidence: outbox → cloud log → export → offline verification', () => {
  it('a week offline: 3,000 bundles signed and stored, then drained in order; re-draining is a no-op; the export verifies', async () => {
    const a = await appliance();
    // A week of checks in bursts of 100 (one fsync per burst), then one bundle at a time.
    for (let i = 0; i < 2900; i += 100)
      a.outbox.recordMany(Array.from({ length: 100 }, (_, k) => record(i + k)));
    for (let i = 2900; i < 3000; i++) await a.outbox.record(record(i));
    expect(a.outbox.pending()).toBe(3000);
    const first = await a.outbox.drain(cloud.url, { batchSize: 500 });
    expect(first).toEqual({ uploaded: 3000 });
    expect(a.outbox.pending()).toBe(0);
    expect(await cloud.evidence.head(a.applianceId)).toEqual(a.outbox.head());
    expect(await a.outbox.drain(cloud.url)).toEqual({ uploaded: 0 });

    // Checkpoint: signed by the published log key; inclusion of bundle 500; consistency with an older size.
    const vkey = parseVerifierKey(await (await fetch(`${cloud.url}/api/evidence/log-key`)).text());
    const note = await (await fetch(`${cloud.url}/api/evidence/checkpoint`)).text();
    const cp = openCheckpoint(note, 'test.osiris/evidence', [vkey]);
    expect(cp.size).toBeGreaterThanOrEqual(3000);
    const env = a.outbox.all()[499] as Envelope;
    const idx = (
      await db.pool.query<{ log_index: string }>(
        'select log_index from evidence_bundles where appliance_id = $1 and chain_position = 500',
        [a.applianceId],
      )
    ).rows[0]?.log_index;
    const inc = (await (
      await fetch(`${cloud.url}/api/evidence/proof/inclusion?index=${idx}&size=${cp.size}`)
    ).json()) as { proof: string[] };
    expect(
      verifyInclusion(
        leafHash(fromBase64(env.body)),
        Number(idx),
        cp.size,
        inc.proof.map((h) => fromHex(h, 32)),
        cp.root,
      ),
    ).toBe(true);
    const con = (await (
      await fetch(`${cloud.url}/api/evidence/proof/consistency?from=250&to=${cp.size}`)
    ).json()) as { proof: string[] };
    expect(
      verifyConsistency(
        250,
        cp.size,
        con.proof.map((h) => fromHex(h, 32)),
        await cloud.evidence.root(250),
        cp.root,
      ),
    ).toBe(true);

    const file = await exportEvidence(cloud.sql, cloud.evidence, { siteId: 's1' });
    const report = verifyExport(JSON.parse(JSON.stringify(file)), {
      trustedLogKeys: [cloud.evidence.verifierKey],
    });
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, logKeyTrusted: true, bundles: 3000 });
    expect(report.checked.inclusionProofs).toBe(3000);
  }, 120_000);

  it('rejects each kind of tampering with its own code, and stores nothing of it', async () => {
    const a = await appliance();
    const b = await appliance();
    for (let i = 0; i < 3; i++) await a.outbox.record(record(i));
    await a.outbox.drain(cloud.url);
    const before = (await db.pool.query('select count(*)::int as n from evidence_bundles')).rows[0]
      .n as number;
    const head = a.outbox.head();
    const seal = (over: Record<string, unknown> = {}, key = a.kp.secretKey) => sealNext(a, head, over, key);
    const codeOf = async (envs: Envelope[], who = a.applianceId, key = a.kp.secretKey) => {
      const r = await upload(who, key, envs);
      return r.body.error?.code ?? r.body.results.find((x) => x.status === 'rejected')?.code;
    };
    const good = seal();
    // Flip a byte in the signed bytes (kept valid JSON: a digit of checked_at).
    const bytes = fromBase64(good.body);
    const at = new TextDecoder().decode(bytes).indexOf('"checked_at":"') + 16;
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    expect(await codeOf([{ body: toBase64(bytes), signature: good.signature }])).toBe(
      'E_EVIDENCE_BAD_SIGNATURE',
    );
    // Re-serialized (non-canonical) bytes.
    const pretty = new TextEncoder().encode(
      JSON.stringify(JSON.parse(new TextDecoder().decode(fromBase64(good.body))), null, 1),
    );
    expect(await codeOf([{ body: toBase64(pretty), signature: good.signature }])).toBe(
      'E_EVIDENCE_NONCANONICAL',
    );
    // Malleated signature: S + L.
    const sig = fromBase64(good.signature);
    const L = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const s = (sig[32 + i] as number) + (L[i] as number) + carry;
      sig[32 + i] = s & 0xff;
      carry = s >> 8;
    }
    expect(await codeOf([{ body: good.body, signature: toBase64(sig) }])).toBe(
      'E_EVIDENCE_SIGNATURE_MALLEATED',
    );
    // Gap (skipped position), broken link, reorder, future timestamp, wrong site.
    expect(await codeOf([seal({ chain_position: head.position + 2 })])).toBe('E_EVIDENCE_CHAIN_GAP');
    expect(await codeOf([seal({ prev_hash: 'ab'.repeat(32) })])).toBe('E_EVIDENCE_CHAIN_BROKEN');
    const next = openEnvelope(good);
    const after = sealBundle(
      { ...next.content, chain_position: head.position + 2, prev_hash: next.hash },
      a.kp.secretKey,
    ).envelope;
    expect(await codeOf([after, good])).toBe('E_EVIDENCE_CHAIN_GAP');
    expect(await codeOf([seal({ checked_at: new Date(Date.now() + 3_600_000).toISOString() })])).toBe(
      'E_EVIDENCE_FUTURE',
    );
    expect(await codeOf([seal({ site_id: 's2' })])).toBe('E_EVIDENCE_WRONG_SITE');
    // Fork: another validly signed bundle at a logged position.
    expect(await codeOf([seal({ chain_position: head.position, prev_hash: 'cd'.repeat(32) })])).toBe(
      'E_EVIDENCE_CHAIN_FORK',
    );
    // Replay from another appliance: A's genuine bundle submitted by B.
    expect(await codeOf([good], b.applianceId, b.kp.secretKey)).toBe('E_EVIDENCE_REPLAY');
    // An upload not signed by the appliance it names.
    expect(await codeOf([good], a.applianceId, b.kp.secretKey)).toBe('E_EVIDENCE_BAD_SIGNATURE');
    // Garbage never crashes: wrong shapes are coded 4xx.
    expect(
      (await upload(a.applianceId, a.kp.secretKey, [{ body: '!!', signature: '' }])).body.results[0]?.code,
    ).toBe('E_EVIDENCE_ENCODING');
    const junk = await fetch(`${cloud.url}/api/evidence/bundles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"bundles":',
    });
    expect(junk.status).toBe(400);
    const after2 = (await db.pool.query('select count(*)::int as n from evidence_bundles')).rows[0]
      .n as number;
    expect(after2).toBe(before);
    const rejections = await db.pool.query<{ code: string }>('select distinct code from evidence_rejections');
    expect(rejections.rows.map((r) => r.code)).toEqual(
      expect.arrayContaining(['E_EVIDENCE_CHAIN_FORK', 'E_EVIDENCE_REPLAY', 'E_EVIDENCE_CHAIN_GAP']),
    );
    // And the good one still goes in afterwards: nothing stored was harmed.
    expect((await upload(a.applianceId, a.kp.secretKey, [good])).body.results[0]?.status).toBe('appended');
  }, 60_000);

  it('the evidence tables are write-once: UPDATE, DELETE and TRUNCATE are refused by triggers', async () => {
    await expect(db.pool.query("update evidence_bundles set kind = 'x'")).rejects.toThrow(/write-once/);
    await expect(db.pool.query('delete from evidence_bundles')).rejects.toThrow(/write-once/);
    await expect(db.pool.query('truncate evidence_bundles cascade')).rejects.toThrow(/write-once/);
    await expect(db.pool.query('delete from evidence_tree_nodes')).rejects.toThrow(/write-once/);
  });

  it('key rotation: the old key signs the new one in the chain; later bundles need the new key; revocation stops the chain', async () => {
    const a = await appliance();
    await a.outbox.record(record(1));
    const next = nacl.sign.keyPair();
    a.outbox.rotateKey(next.secretKey);
    await a.outbox.record(record(2));
    expect(await a.outbox.drain(cloud.url)).toEqual({ uploaded: 3 });
    const head = a.outbox.head();
    const old = sealNext(a, head);
    const r = await upload(a.applianceId, next.secretKey, [old]);
    expect(r.body.results[0]?.code).toBe('E_EVIDENCE_KEY_MISMATCH');
    await cloud.revoke(a.applianceId, 'stolen');
    await a.outbox.record(record(3));
    expect((await a.outbox.drain(cloud.url)).refused?.code).toBe('E_EVIDENCE_KEY_REVOKED');
    const file = await exportEvidence(cloud.sql, cloud.evidence, { siteId: 's1' });
    const rep = verifyExport(JSON.parse(JSON.stringify(file)));
    expect(rep.failures).toEqual([]);
  }, 60_000);

  it('two cloud nodes appending at once keep one consistent tree', async () => {
    const second = await EvidenceLog.open(cloud.sql, { origin: 'test.osiris/evidence' });
    const xs = await Promise.all([appliance(), appliance()]);
    for (const x of xs) for (let i = 0; i < 60; i++) await x.outbox.record(record(i));
    const sizeBefore = await cloud.evidence.size();
    const batches = xs.map((x) => x.outbox.batch(60).map((b) => openEnvelope(b.envelope)));
    await Promise.all([
      cloud.evidence.append(xs[0]!.applianceId, batches[0]!),
      second.append(xs[1]!.applianceId, batches[1]!),
    ]);
    const size = await cloud.evidence.size();
    expect(size).toBe(sizeBefore + 120);
    const idx = await db.pool.query<{ log_index: string }>(
      'select log_index from evidence_bundles order by log_index',
    );
    expect(idx.rows.map((r) => Number(r.log_index))).toEqual(Array.from({ length: size }, (_, i) => i));
    const cp = openCheckpoint((await cloud.evidence.checkpoint()).note, 'test.osiris/evidence', [
      parseVerifierKey(cloud.evidence.verifierKey),
    ]);
    expect(cp.size).toBe(size);
    for (const i of [0, size - 1, Math.floor(size / 2)]) {
      const body = (
        await db.pool.query<{ body: Buffer }>('select body from evidence_bundles where log_index = $1', [i])
      ).rows[0]!.body;
      const proof = await cloud.evidence.inclusionProof(i, size);
      expect(verifyInclusion(leafHash(new Uint8Array(body)), i, size, proof, cp.root)).toBe(true);
    }
  }, 60_000);

  it('an auditor export detects dropped, reordered and altered bundles and a foreign log key', async () => {
    const file = JSON.parse(
      JSON.stringify(await exportEvidence(cloud.sql, cloud.evidence, { siteId: 's1' })),
    ) as {
      appliances: { bundles: { envelope: Envelope; log_index: number; proof: string[] }[] }[];
    };
    // The longest chain first, so every edit below lands inside it.
    file.appliances.sort((x, y) => y.bundles.length - x.bundles.length);
    const clone = () => JSON.parse(JSON.stringify(file)) as typeof file;
    const codes = (f: unknown, o = {}) => new Set(verifyExport(f, o).failures.map((x) => x.code));
    const dropped = clone();
    dropped.appliances[0]!.bundles.splice(3, 1);
    expect(codes(dropped)).toContain('E_EVIDENCE_CHAIN_GAP');
    expect(codes(dropped)).toContain('E_EVIDENCE_ATTESTATION');
    const swapped = clone();
    const bs = swapped.appliances[0]!.bundles;
    [bs[1], bs[2]] = [bs[2]!, bs[1]!];
    expect(codes(swapped)).toContain('E_EVIDENCE_CHAIN_ORDER');
    const altered = clone();
    const sig = fromBase64(altered.appliances[0]!.bundles[0]!.envelope.signature);
    sig[5] = (sig[5] as number) ^ 1;
    (altered.appliances[0]!.bundles[0]!.envelope as { signature: string }).signature = toBase64(sig);
    expect(codes(altered)).toContain('E_EVIDENCE_BAD_SIGNATURE');
    const badProof = clone();
    badProof.appliances[0]!.bundles[0]!.proof[0] = '00'.repeat(32);
    expect(codes(badProof)).toContain('E_EVIDENCE_INCLUSION');
    expect(codes(clone(), { trustedLogKeys: ['someone+00000000+AQ=='] })).toContain(
      'E_EVIDENCE_UNTRUSTED_LOG_KEY',
    );
    expect(codes({ format: 'nope' })).toContain('E_EVIDENCE_EXPORT_MALFORMED');
  });

  it('CLI: `osiris evidence export` writes a file that `osiris evidence verify` accepts offline and explains when tampered', () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    dirs.push(dir);
    const out = join(dir, 'site-s1.json');
    const bin = join(import.meta.dirname, '../../bin/osiris.js');
    const env = { ...process.env, DATABASE_URL: db.url };
    const ex = spawnSync(process.execPath, [bin, 'evidence', 'export', '--site', 's1', '--out', out], {
      env,
      encoding: 'utf8',
    });
    expect(ex.stderr).toContain('wrote');
    expect(ex.status).toBe(0);
    const ok = spawnSync(
      process.execPath,
      [bin, 'evidence', 'verify', out, '--trust-log-key', cloud.evidence.verifierKey],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    expect(ok.stdout).toMatch(/^OK: \d+ bundles/);
    expect(ok.stdout).toContain('is pinned');
    expect(ok.status).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8')) as {
      appliances: { bundles: { log_index: number }[] }[];
    };
    const first = file.appliances.find((a) => a.bundles.length > 0)!.bundles[0]!;
    first.log_index += 1;
    writeFileSync(out, JSON.stringify(file));
    const bad = spawnSync(process.execPath, [bin, 'evidence', 'verify', out], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('E_EVIDENCE_INCLUSION');
    expect(bad.stdout).toContain('not pinned');
  }, 60_000);
});
