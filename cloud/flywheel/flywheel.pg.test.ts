import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../schemas/index.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { PgliteSqlClient } from '../../sync/sql/pglite-client.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { type TestDatabase, createTestDatabase } from '../../test/helpers/pg.ts';
import { Registry } from '../registry/registry.ts';
import { findCandidates, promotedRuleId, runFlywheel } from './flywheel.ts';

// Same code and tests on real Postgres and on embedded PGlite; the two-worker race needs a server.
for (const engine of ['postgres', 'pglite'] as const)
  describe(`flywheel (${engine})`, () => {
    let db: TestDatabase;
    let sql: SqlClient;
    const now = Date.parse('2026-11-20T12:00:00Z');

    async function stat(
      app: string,
      site: string,
      sig: string,
      occ: number,
      ok: number,
      action: string | null,
      lastSeen = now,
    ) {
      await sql.query(
        `insert into pattern_stats values ($1, $2, $3, 'drift', 'firewall_status', $4, $5, 0, 0, $5, $4::bigint - $5::bigint, 0, $6, $7, '{}')`,
        [app, sig, site, occ, ok, new Date(lastSeen).toISOString(), action],
      );
    }

    beforeAll(async () => {
      db = await createTestDatabase('fly');
      sql = engine === 'postgres' ? new PgSqlClient(db.pool) : await PgliteSqlClient.open();
      await migrate(sql);
      const reg = new Registry(sql);
      await reg.createPartner('p1', 'Default thresholds');
      await reg.createPartner('p2', 'Strict');
      await sql.query(
        "insert into partner_settings (partner_id, min_occurrences, min_success_rate) values ('p2', 50, 0.99)",
      );
      await reg.createSite({ id: 's1', partnerId: 'p1', name: 'A' });
      await reg.createSite({ id: 's2', partnerId: 'p2', name: 'B' });
      // s1: the pattern crosses the threshold only as a sum over two appliances (3 + 3 occurrences).
      await stat('a1', 's1', '1111111111111111', 3, 3, 'run_runbook:LIN-FW-001');
      await stat('a2', 's1', '1111111111111111', 3, 3, 'run_runbook:LIN-FW-001');
      await stat('a1', 's1', '2222222222222222', 10, 10, 'run_runbook:AUTO-123'); // placeholder: never
      await stat('a1', 's1', '3333333333333333', 10, 8, 'run_runbook:LIN-SSH-001'); // 80 %: below
      await stat('a1', 's1', '4444444444444444', 10, 10, 'run_runbook:LIN-SSH-002', now - 30 * 86_400_000); // stale
      await stat('a1', 's2', '5555555555555555', 10, 10, 'run_runbook:LIN-FW-001'); // partner p2 wants 50
    });
    afterAll(async () => {
      if (engine === 'pglite') await sql.close();
      await db.drop();
    });

    it('finds candidates from site sums with per-partner thresholds, never placeholders', async () => {
      const c = await findCandidates(sql, now);
      expect(c.map((x) => `${x.siteId}/${x.signature}`)).toEqual(['s1/1111111111111111']);
      expect(c[0]?.occurrences).toBe(6);
    });

    it('two racing cloud workers promote each pattern exactly once, into the document, with an audit record', async () => {
      const written: [string, Rule][] = [];
      const writer = async (site: string, rule: Rule) => {
        written.push([site, rule]);
      };
      // Two workers race: on Postgres two connections, on PGlite two cycles on the one connection.
      const other = engine === 'postgres' ? new PgSqlClient(db.url) : sql;
      const [a, b] = await Promise.all([
        runFlywheel(sql, writer, { now }),
        runFlywheel(other, writer, { now }),
      ]);
      if (other !== sql) await other.close();
      expect(a.length + b.length).toBe(1);
      expect(written).toHaveLength(1);
      const [site, rule] = written[0] ?? [];
      expect(site).toBe('s1');
      expect(rule).toMatchObject({
        id: promotedRuleId('1111111111111111'),
        priority: 50,
        cooldown_seconds: 300,
        source: 'promoted',
        action: 'run_runbook:LIN-FW-001',
      });
      expect(rule?.conditions).toEqual([
        { field: 'incident_type', operator: 'eq', value: 'drift' },
        { field: 'check_type', operator: 'eq', value: 'firewall_status' },
      ]);
      expect(await runFlywheel(sql, writer, { now })).toEqual([]);
      const audit = await sql.query<{ action: string; target: string }>(
        "select action, target from cloud_audit where site_id = 's1'",
      );
      expect(audit.rows).toEqual([{ action: 'rule.promote', target: promotedRuleId('1111111111111111') }]);
      await expect(sql.query('delete from cloud_audit')).rejects.toThrow(/append-only/);
    });

    it('releases the claim when the document write fails, so the next cycle retries', async () => {
      await stat('a1', 's1', '6666666666666666', 9, 9, 'restart_service:auditd');
      await expect(
        runFlywheel(sql, async () => Promise.reject(new Error('repo down')), { now }),
      ).resolves.toEqual([]);
      const again = await runFlywheel(sql, async () => undefined, { now });
      expect(again.map((c) => c.signature)).toEqual(['6666666666666666']);
    });
  });
