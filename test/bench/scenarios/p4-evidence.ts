// P4 evidence: bundles verified + appended per second on one cloud node (Postgres when DATABASE_URL is
// set, else embedded PGlite), with node:crypto and with tweetnacl side by side; raw signature
// verification rates; inclusion-proof time and size at 1M leaves (100k with --quick).
import nacl from 'tweetnacl';
import { EvidenceLog } from '../../../cloud/evidence/evidence-log.ts';
import { Registry } from '../../../cloud/registry/registry.ts';
import { toBase64 } from '../../../sync/evidence/bytes.ts';
import { type OpenedBundle, GENESIS_PREV_HASH, sealBundle } from '../../../sync/evidence/bundle.ts';
import { setEd25519VerifyImplementation, verify } from '../../../sync/evidence/ed25519.ts';
import { MemoryTree, inclusionProof, leafHash, verifyInclusion } from '../../../sync/evidence/merkle.ts';
import { installNodeCrypto, nodeEd25519Verify } from '../../../sync/evidence/node-crypto.ts';
import { migrate } from '../../../sync/sql/migrate.ts';
import type { SqlClient } from '../../../sync/sql/sql-client.ts';
import { openBenchDb } from '../bench-db.ts';
import { type BenchContext, type BenchScenario, type Measurement, stat } from '../harness.ts';

const tweetnaclVerify = (m: Uint8Array, s: Uint8Array, k: Uint8Array) => nacl.sign.detached.verify(m, s, k);

function chain(siteId: string, applianceId: string, kp: nacl.SignKeyPair, n: number): OpenedBundle[] {
  const out: OpenedBundle[] = [];
  let prev = GENESIS_PREV_HASH;
  for (let i = 1; i <= n; i++) {
    const { opened } = sealBundle(
      {
        site_id: siteId,
        appliance_id: applianceId,
        key: toBase64(kp.publicKey),
        chain_position: i,
        prev_hash: prev,
        checked_at: new Date(Date.now() - 86_400_000 + i).toISOString(),
        kind: 'runbook_execution',
        checks: [{ check: 'firewall', hostname: `host-${i % 50}`, status: 'pass' }],
        summary: { total_checks: 1, compliant: 1, non_compliant: 0, scanned_hosts: 1 },
        execution: {
          runbook_id: 'LIN-FW-001',
          outcome: 'healed',
          state_before: { active: false },
          state_after: { active: true },
        },
      },
      kp.secretKey,
    );
    out.push(opened);
    prev = opened.hash;
  }
  return out;
}

async function appendRate(sql: SqlClient, n: number, tag: string, verifyInline = false): Promise<number> {
  const registry = new Registry(sql);
  await registry.createPartner(`bp-${tag}`, 'bench');
  await sql.query('insert into sites (id, partner_id, name) values ($1, $2, $3) on conflict do nothing', [
    `bs-${tag}`,
    `bp-${tag}`,
    'bench',
  ]);
  const kp = nacl.sign.keyPair();
  const { applianceId } = await registry.enroll(
    await registry.issueEnrollmentToken(`bs-${tag}`),
    kp.publicKey,
  );
  const bundles = chain(`bs-${tag}`, applianceId, kp, n);
  const log = await EvidenceLog.open(sql, { origin: 'bench/evidence', verifyInline });
  const t0 = performance.now();
  for (let i = 0; i < bundles.length; i += 500) {
    const r = await log.append(applianceId, bundles.slice(i, i + 500));
    if (r.appended !== Math.min(500, bundles.length - i))
      throw new Error(`append refused: ${JSON.stringify(r.results.at(-1))}`);
  }
  return n / ((performance.now() - t0) / 1000);
}

export const scenario: BenchScenario = {
  name: 'p4-evidence',
  description:
    'Evidence bundles verified (strict Ed25519, chain link) and appended to the write-once log + RFC 6962 tree + signed checkpoint, in batches of 500, on Postgres (or PGlite when DATABASE_URL is unset). Signatures are verified by worker threads (node:crypto) while the event loop runs the appends. "Baseline" here is the same path with tweetnacl verification on the event loop; the stock automerge-repo stack has no evidence log to compare with.',
  async run(ctx: BenchContext): Promise<Measurement[]> {
    installNodeCrypto();
    const n = ctx.quick ? 1000 : 10_000;
    const reps = ctx.quick ? 1 : 3;
    const out: Measurement[] = [];
    const open = async () => {
      const db = await openBenchDb(ctx.databaseUrl, 'evidence');
      await migrate(db.sql);
      return db;
    };
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < reps; r++) {
      const db = await open();
      try {
        setEd25519VerifyImplementation(nodeEd25519Verify);
        ours.push(await appendRate(db.sql, n, `n${r}`));
        ctx.progress((r + 0.5) / (reps + 1), 'append');
        setEd25519VerifyImplementation(tweetnaclVerify);
        base.push(await appendRate(db.sql, Math.min(n, 1000), `t${r}`, true)); // rate, not size: 1,000 is enough
        setEd25519VerifyImplementation(nodeEd25519Verify);
      } finally {
        await db.close();
      }
      ctx.progress((r + 1) / (reps + 1), 'append');
    }
    out.push({
      metric: `verify + append (${ctx.databaseUrl ? 'Postgres' : 'PGlite'})`,
      unit: 'bundles/s',
      higherIsBetter: true,
      ours: stat(ours),
      baseline: stat(base),
      baselineName: 'same path, tweetnacl verify inline',
      goal: { value: 5000, kind: 'absolute' },
    });
    // Raw verification rates.
    const kp = nacl.sign.keyPair();
    const msgs = Array.from({ length: ctx.quick ? 300 : 2000 }, (_, i) =>
      new TextEncoder().encode(`bundle ${i}`.repeat(20)),
    );
    const sigs = msgs.map((m) => nacl.sign.detached(m, kp.secretKey));
    const rate = (fn: (m: Uint8Array, s: Uint8Array, k: Uint8Array) => boolean) => {
      const t = performance.now();
      for (let i = 0; i < msgs.length; i++)
        if (!fn(msgs[i]!, sigs[i]!, kp.publicKey)) throw new Error('verify failed');
      return msgs.length / ((performance.now() - t) / 1000);
    };
    setEd25519VerifyImplementation(nodeEd25519Verify);
    const strictNode = [rate(verify), rate(verify), rate(verify)];
    const naclRaw = [rate(tweetnaclVerify), rate(tweetnaclVerify), rate(tweetnaclVerify)];
    out.push({
      metric: 'strict Ed25519 verify (node:crypto + canonical-S + small-order checks)',
      unit: 'sig/s',
      higherIsBetter: true,
      ours: stat(strictNode),
      baseline: stat(naclRaw),
      baselineName: 'tweetnacl verify (not strict)',
    });
    // Inclusion proofs at 1M leaves.
    const leaves = ctx.quick ? 100_000 : 1_000_000;
    const tree = new MemoryTree();
    for (let i = 0; i < leaves; i++) {
      tree.append(leafHash(new Uint8Array([i & 255, (i >> 8) & 255, (i >> 16) & 255])));
      if (i % 100_000 === 0) ctx.progress(0.8 + (0.15 * i) / leaves, 'tree');
    }
    const root = tree.root();
    const times: number[] = [];
    let bytes = 0;
    for (let k = 0; k < 200; k++) {
      const idx = (k * 7919) % leaves;
      const t = performance.now();
      const proof = inclusionProof(tree, idx, leaves);
      const ok = verifyInclusion(
        leafHash(new Uint8Array([idx & 255, (idx >> 8) & 255, (idx >> 16) & 255])),
        idx,
        leaves,
        proof,
        root,
      );
      times.push(performance.now() - t);
      if (!ok) throw new Error('inclusion proof failed');
      bytes = proof.length * 32;
    }
    out.push({
      metric: `inclusion proof build + verify at ${leaves.toLocaleString('en-US')} leaves`,
      unit: 'ms',
      higherIsBetter: false,
      ours: stat(times),
      note: `proof size ${bytes} bytes (${bytes / 32} hashes)`,
    });
    ctx.progress(1);
    return out;
  },
};
