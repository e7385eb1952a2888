// Evidence outbox under kill -9 while signing and uploading: after every kill the outbox opens, holds
// every acknowledged bundle as one unbroken chain, and the cloud holds a prefix of it; a final drain
// delivers everything acknowledged, and the cloud never refused anything.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceOutbox } from '../../appliance/evidence/outbox.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import { toBase64 } from '../../sync/evidence/bytes.ts';
import { openEnvelope, verifyChain } from '../../sync/evidence/bundle.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { runChild } from './run-child.ts';

const KILLS = 20;
let db: TestDatabase;
let cloud: CloudNode;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('okill');
  cloud = await startCloud({ sql: new PgSqlClient(db.pool) });
  await cloud.sync.registry.createPartner('p', 'P');
  await cloud.sync.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
  dir = mkdtempSync(join(tmpdir(), 'okill-'));
}, 60_000);
afterAll(async () => {
  await cloud?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the child and SIGKILLs it `jitterMs` after its `killAtAck`-th acknowledged bundle of this run:
 * the same work per kill on a fast or a loaded machine. Acks 20, 40 … are each followed by a drain,
 * so a target of 20 with a little jitter lands inside an upload.
 */
function run(args: string[], killAtAck: number, jitterMs: number) {
  let acks = 0;
  return runChild(join(import.meta.dirname, 'outbox-child.ts'), args, (line, kill) => {
    if (line.startsWith('ack ') && ++acks === killAtAck) kill(jitterMs);
  });
}

describe('evidence outbox under kill -9', () => {
  it(`${KILLS} kills while signing and draining: nothing acknowledged is lost, the chain never breaks`, async () => {
    const kp = nacl.sign.keyPair();
    const { applianceId } = await cloud.sync.registry.enroll(
      await cloud.sync.registry.issueEnrollmentToken('s1'),
      kp.publicKey,
    );
    const path = join(dir, 'evidence.db');
    const args = [path, 's1', applianceId, toBase64(kp.secretKey), cloud.url];
    let acked = 0;
    let drains = 0;
    for (let k = 0; k < KILLS; k++) {
      const r = await run(args, k % 4 === 0 ? 20 : 3 + ((k * 13) % 45), (k * 7) % 40);
      expect(r.signal, r.stderr).toBe('SIGKILL');
      expect(
        r.lines.some((l) => l.includes('refused')),
        r.lines.join('\n'),
      ).toBe(false);
      for (const l of r.lines) if (l.startsWith('ack ')) acked = Math.max(acked, Number(l.slice(4)));
      drains += r.lines.filter((l) => l.startsWith('drained')).length;
      const outbox = new EvidenceOutbox({ path, siteId: 's1', applianceId, secretKey: kp.secretKey });
      const all = outbox.all().map(openEnvelope);
      expect(all.length).toBeGreaterThanOrEqual(acked);
      expect(verifyChain(all, { initial: toBase64(kp.publicKey) })).toEqual([]);
      const head = await cloud.evidence.head(applianceId);
      expect(head.position).toBeLessThanOrEqual(all.length);
      if (head.position > 0) expect(all[head.position - 1]?.hash).toBe(head.hash);
      outbox.close();
    }
    expect(acked).toBeGreaterThan(KILLS * 5);
    expect(drains).toBeGreaterThan(0);
    const outbox = new EvidenceOutbox({ path, siteId: 's1', applianceId, secretKey: kp.secretKey });
    const final = await outbox.drain(cloud.url);
    expect(final.refused).toBeUndefined();
    expect((await cloud.evidence.head(applianceId)).position).toBe(outbox.head().position);
    expect(outbox.pending()).toBe(0);
    outbox.close();
  }, 180_000);
});
