// `osiris portal account add` end to end on embedded PGlite: password from stdin and from a file,
// update of an existing e-mail, and refusals (client without --client, unknown client, short password).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../portal/accounts.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { openSql } from '../../sync/sql/open.ts';

const dir = mkdtempSync(join(tmpdir(), 'portal-account-'));
const data = join(dir, 'db');

function osiris(args: string[], input = '') {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  const r = spawnSync(
    process.execPath,
    ['bin/osiris.js', 'portal', 'account', 'add', ...args, '--data', data],
    {
      input,
      encoding: 'utf8',
      env,
      timeout: 60_000,
    },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function withSql<T>(fn: (sql: Awaited<ReturnType<typeof openSql>>) => Promise<T>): Promise<T> {
  const sql = await openSql({ dataDir: data });
  try {
    return await fn(sql);
  } finally {
    await sql.close();
  }
}

describe('osiris portal account add', () => {
  beforeAll(async () => {
    await withSql(async (sql) => {
      await migrate(sql);
      await sql.query("insert into partners (id, name) values ('p1', 'Partner One'), ('p2', 'Partner Two')");
      await sql.query(
        "insert into clients (id, partner_id, name) values ('c1', 'p1', 'Client One'), ('c2', 'p2', 'C2')",
      );
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates accounts from stdin and from a password file, and updates an existing e-mail', async () => {
    const a = osiris(
      ['--email', 'Owner@MSP.test', '--role', 'partner_admin', '--partner', 'p1'],
      'first-password-1\n',
    );
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^created acc-[0-9a-f]{16}: owner@msp\.test \(partner_admin\) for partner p1\n$/);
    const file = join(dir, 'pw');
    writeFileSync(file, 'clinic-password-2\n', { mode: 0o600 });
    const c = osiris([
      '--email',
      'front@clinic.test',
      '--role',
      'client_user',
      '--partner',
      'p1',
      '--client',
      'c1',
      '--password-file',
      file,
    ]);
    expect(c.code).toBe(0);
    const u = osiris(
      ['--email', 'owner@msp.test', '--role', 'partner_tech', '--partner', 'p1', '--name', 'Owner'],
      'second-password-3',
    );
    expect(u.out).toMatch(/^updated /);
    await withSql(async (sql) => {
      const store = new AccountStore(sql);
      expect(await store.authenticate('owner@msp.test', 'first-password-1')).toBeUndefined();
      expect(await store.authenticate('owner@msp.test', 'second-password-3')).toMatch(/^acc-/);
      expect(await store.authenticate('front@clinic.test', 'clinic-password-2')).toMatch(/^acc-/);
      const rows = await sql.query<{ email: string; role: string; client_id: string | null; name: string }>(
        'select email, role, client_id, name from portal_accounts order by email',
      );
      expect(rows.rows).toEqual([
        { email: 'front@clinic.test', role: 'client_user', client_id: 'c1', name: 'front' },
        { email: 'owner@msp.test', role: 'partner_tech', client_id: null, name: 'Owner' },
      ]);
    });
  });

  it('refuses bad roles, missing or foreign clients, unknown partners and short passwords', () => {
    const base = ['--email', 'x@y.test'];
    expect(osiris([...base, '--role', 'root', '--partner', 'p1'], 'long-enough-pw').code).toBe(2);
    expect(osiris([...base, '--role', 'client_user', '--partner', 'p1'], 'long-enough-pw').code).toBe(2);
    expect(
      osiris([...base, '--role', 'partner_admin', '--partner', 'p1', '--client', 'c1'], 'long-enough-pw')
        .code,
    ).toBe(2);
    const foreign = osiris(
      [...base, '--role', 'client_user', '--partner', 'p1', '--client', 'c2'],
      'long-enough-pw',
    );
    expect(foreign.code).toBe(1);
    expect(foreign.err).toContain("no client 'c2' of partner 'p1'");
    expect(osiris([...base, '--role', 'partner_admin', '--partner', 'nope'], 'long-enough-pw').code).toBe(1);
    const short = osiris([...base, '--role', 'partner_admin', '--partner', 'p1'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toContain('at least 10 characters');
    expect(osiris(['--role', 'partner_admin', '--partner', 'p1'], 'long-enough-pw').code).toBe(2);
  });
});
