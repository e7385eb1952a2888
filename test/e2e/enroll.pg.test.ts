import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../appliance/identity/enroll.ts';
import { loadOrCreateIdentity } from '../../appliance/identity/identity.ts';
import { siteDocIds } from '../../sync/doc-ids.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import { Registry } from '../../cloud/registry/registry.ts';
import { mountEnroll } from '../../cloud/api/enroll-route.ts';

describe('enrollment over HTTP (real Postgres)', () => {
  let db: TestDatabase;
  let node: CloudNode;
  let reg: Registry;
  const dir = mkdtempSync(join(tmpdir(), 'enroll-'));
  beforeAll(async () => {
    db = await createTestDatabase('enroll');
    const sql = new PgSqlClient(db.pool);
    await migrate(sql);
    reg = new Registry(sql);
    await reg.createPartner('p1', 'P');
    await reg.createSite({ id: 's1', partnerId: 'p1', name: 'Clinic' });
    node = await startCloud({
      sql,
      mount: [mountEnroll(reg, (m, s, k) => nacl.sign.detached.verify(m, s, k))],
    });
  });
  afterAll(async () => {
    await node.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a 0600 key on first start, enrolls it, and learns its documents', async () => {
    const path = join(dir, 'a1', 'identity.json');
    const token = await reg.issueEnrollmentToken('s1');
    const e = await enroll(path, node.url, token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(e.siteId).toBe('s1');
    expect(e.documents.settings).toBe(siteDocIds('s1').settings);
    const again = loadOrCreateIdentity(path);
    expect(again.enrollment?.applianceId).toBe(e.applianceId);
    expect(await reg.authenticateKey(again.publicKey)).toMatchObject({ applianceId: e.applianceId });
    await expect(enroll(join(dir, 'a2', 'identity.json'), node.url, token)).rejects.toThrow(/E_TOKEN_USED/);
  });

  it('rejects a proof signed by another key, bad JSON, wrong media type and oversized bodies with codes', async () => {
    const token = await reg.issueEnrollmentToken('s1');
    const victim = nacl.sign.keyPair();
    const attacker = nacl.sign.keyPair();
    const post = (body: string, type = 'application/json') =>
      fetch(`${node.url}/api/enroll`, { method: 'POST', headers: { 'content-type': type }, body });
    const forged = await post(
      JSON.stringify({
        token,
        publicKey: Buffer.from(victim.publicKey).toString('base64'),
        proof: Buffer.from(nacl.sign.detached(new Uint8Array(8), attacker.secretKey)).toString('base64'),
      }),
    );
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe('E_ENROLL_PROOF');
    const bad = await post('{"token":');
    expect((await bad.json()).error.code).toBe('E_BAD_JSON');
    expect((await post('{}', 'text/plain')).status).toBe(415);
    const big = await post(JSON.stringify({ token: 'x'.repeat(10_000), publicKey: '', proof: '' }));
    expect((await big.json()).error.code).toBe('E_BODY_TOO_LARGE');
    const invalid = await post(JSON.stringify({ token: 1 }));
    expect((await invalid.json()).error.code).toBe('E_INVALID_INPUT');
    // The token was not consumed by any of the failures.
    const ok = await enroll(join(dir, 'a3', 'identity.json'), node.url, token);
    expect(ok.siteId).toBe('s1');
  });
});
