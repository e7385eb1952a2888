import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../cloud/registry/registry.ts';
import { migrate } from '../sync/sql/migrate.ts';
import { PgSqlClient } from '../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../test/helpers/pg.ts';

let db: TestDatabase;
let sql: PgSqlClient;
beforeAll(async () => {
  db = await createTestDatabase('tok');
  sql = new PgSqlClient(db.pool);
  await migrate(sql);
  const reg = new Registry(sql);
  await reg.createPartner('p', 'P');
  await reg.createSite({ id: 'clinic-9', partnerId: 'p', name: 'Clinic 9' });
});
afterAll(() => db?.drop());

const osiris = (...args: string[]) =>
  spawnSync(process.execPath, [join(import.meta.dirname, 'osiris.js'), ...args], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
  });

describe('osiris cloud enroll-token', () => {
  it('prints a one-time token that enrolls exactly one appliance into the site', async () => {
    const r = osiris('cloud', 'enroll-token', '--site', 'clinic-9', '--ttl-hours', '2');
    expect(r.status, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    const reg = new Registry(sql);
    await expect(reg.enroll(token, nacl.sign.keyPair().publicKey)).resolves.toMatchObject({
      siteId: 'clinic-9',
    });
    await expect(reg.enroll(token, nacl.sign.keyPair().publicKey)).rejects.toMatchObject({
      code: 'E_TOKEN_USED',
    });
  });

  it('refuses an unknown site (exit 1) and bad flags (exit 2)', () => {
    expect(osiris('cloud', 'enroll-token', '--site', 'nope').status).toBe(1);
    expect(osiris('cloud', 'enroll-token').status).toBe(2);
    expect(osiris('cloud', 'enroll-token', '--site', 'clinic-9', '--ttl-hours', '0').status).toBe(2);
  });
});
