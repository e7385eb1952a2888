import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOsirisError } from '../../schemas/errors.ts';
import { auditPeriod, deriveDocId } from '../../sync/doc-ids.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../../test/helpers/pg.ts';
import { Registry } from './registry.ts';

const key = (b: number) => new Uint8Array(32).fill(b);
async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isOsirisError(e) ? e.code : String(e);
  }
}

describe('registry on real Postgres', () => {
  let db: TestDatabase;
  let reg: Registry;
  let sql: PgSqlClient;
  beforeAll(async () => {
    db = await createTestDatabase('reg');
    sql = new PgSqlClient(db.pool);
    await migrate(sql);
    expect((await migrate(sql)).applied).toEqual([]); // idempotent
    reg = new Registry(sql);
    await reg.createPartner('p1', 'Partner One');
    await reg.createSite({ id: 's1', partnerId: 'p1', name: 'Clinic' });
  });
  afterAll(() => db.drop());

  it('enrolls a key once per token; rejects reused, expired and unknown tokens', async () => {
    const t = await reg.issueEnrollmentToken('s1');
    const a = await reg.enroll(t, key(1));
    expect(a.siteId).toBe('s1');
    expect(await code(reg.enroll(t, key(2)))).toBe('E_TOKEN_USED');
    expect(await code(reg.enroll('nope', key(3)))).toBe('E_TOKEN_INVALID');
    const old = await reg.issueEnrollmentToken('s1', 1000, Date.now() - 5000);
    expect(await code(reg.enroll(old, key(4)))).toBe('E_TOKEN_EXPIRED');
    const t2 = await reg.issueEnrollmentToken('s1');
    expect(await code(reg.enroll(t2, key(1)))).toBe('E_KEY_ALREADY_ENROLLED');
    expect(await code(reg.enroll(t2, new Uint8Array(5)))).toBe('E_BAD_PUBLIC_KEY');
    expect(await code(reg.issueEnrollmentToken('nosite'))).toBe('E_SITE_UNKNOWN');
  });

  it('authenticates enrolled keys, refuses unknown and revoked ones', async () => {
    const a = await reg.enroll(await reg.issueEnrollmentToken('s1'), key(7));
    expect(await reg.authenticateKey(key(7))).toEqual({
      kind: 'appliance',
      applianceId: a.applianceId,
      siteId: 's1',
    });
    expect(await code(reg.authenticateKey(key(8)))).toBe('E_UNENROLLED');
    await reg.revoke(a.applianceId, 'stolen');
    expect(await code(reg.authenticateKey(key(7)))).toBe('E_REVOKED');
  });

  it('knows site documents, the appliance stats document, and audit periods created offline', async () => {
    const a = await reg.enroll(await reg.issueEnrollmentToken('s1'), key(9));
    const p = { kind: 'appliance' as const, ...a };
    const stats = await reg.documentFor(p, deriveDocId(a, 'pattern_stats'));
    expect(stats?.kind).toBe('pattern_stats');
    const auditId = deriveDocId({ ...a, period: auditPeriod(Date.now()) }, 'audit_trail');
    expect(await reg.document(auditId)).toBeUndefined();
    expect((await reg.documentFor(p, auditId))?.kind).toBe('audit_trail');
    expect(await reg.document(auditId)).toBeDefined();
    // Another appliance's audit id is not recognised for this principal.
    const other = deriveDocId(
      { siteId: 's1', applianceId: 'someone-else', period: auditPeriod(Date.now()) },
      'audit_trail',
    );
    expect(await reg.documentFor(p, other)).toBeUndefined();
  });

  it('binds an actor to its first principal, on this node (cached) and on another one (stored)', async () => {
    expect(await reg.bindActor('abcd', 'appliance:x', 'd1')).toBe('appliance:x');
    expect(await reg.bindActor('abcd', 'appliance:y', 'd1')).toBe('appliance:x');
    const otherNode = new Registry(sql);
    expect(await otherNode.bindActor('abcd', 'appliance:y', 'd1')).toBe('appliance:x');
    expect(await otherNode.bindActor('ef01', 'appliance:y', 'd1')).toBe('appliance:y');
    expect(await reg.bindActor('ef01', 'appliance:x', 'd1')).toBe('appliance:y');
    const rows = await sql.query<{ actor_id: string; principal: string }>(
      "select actor_id, principal from actor_bindings where actor_id in ('abcd', 'ef01') order by actor_id",
    );
    expect(rows.rows).toEqual([
      { actor_id: 'abcd', principal: 'appliance:x' },
      { actor_id: 'ef01', principal: 'appliance:y' },
    ]);
  });

  it('stores SQL-looking input as data', async () => {
    await reg.createPartner("p'; drop table sites; --", "x'); delete from partners; --");
    const r = await db.pool.query('select count(*)::int n from sites');
    expect(r.rows[0].n).toBeGreaterThan(0);
  });
});
