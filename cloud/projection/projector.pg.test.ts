import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialPatternStats, initialRuleBook, initialSiteSettings } from '../../schemas/index.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { genesisDoc } from '../../sync/genesis.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { PgliteSqlClient } from '../../sync/sql/pglite-client.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { type TestDatabase, createTestDatabase } from '../../test/helpers/pg.ts';
import { Registry } from '../registry/registry.ts';
import { Projector } from './projector.ts';
import { ALL_PROJECTORS } from './projectors.ts';

type Any = Record<string, unknown>;

// The same tests on real Postgres and on embedded PGlite (the default engine of `npm start`).
for (const engine of ['postgres', 'pglite'] as const)
  describe(`projector (${engine})`, () => {
    let db: TestDatabase;
    let sql: SqlClient;
    let reg: Registry;
    let appId: string;
    const docs = new Map<string, A.Doc<Any>>();
    let projector: Projector;

    beforeAll(async () => {
      db = await createTestDatabase('proj');
      sql = engine === 'postgres' ? new PgSqlClient(db.pool) : await PgliteSqlClient.open();
      await migrate(sql);
      reg = new Registry(sql);
      await reg.createPartner('p', 'P');
      await reg.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
      appId = (await reg.enroll(await reg.issueEnrollmentToken('s1'), new Uint8Array(32).fill(3)))
        .applianceId;
      projector = new Projector({
        sql,
        source: async (id) => docs.get(id),
        entry: (id) => reg.document(id),
        projectors: ALL_PROJECTORS,
      });
    });
    afterAll(async () => {
      if (engine === 'pglite') await sql.close();
      await db.drop();
    });

    // Row content only: doc_heads says which state a row was computed from, and an incremental pass keeps
    // the older (equivalent) heads on rows it did not touch.
    const snapshot = async (table: string, where: string) =>
      (await sql.query(`select * from ${table} where ${where} order by 1, 2, 3`)).rows.map((r) =>
        JSON.stringify({ ...(r as object), doc_heads: undefined }),
      );

    it('projects settings and rules incrementally; replay changes nothing; full rebuild equals incremental', async () => {
      const settingsId = deriveDocId({ siteId: 's1' }, 'site_settings');
      const rulesId = deriveDocId({ siteId: 's1' }, 'rule_book');
      let settings = genesisDoc(settingsId, initialSiteSettings('s1') as unknown as Any);
      let rules = genesisDoc(rulesId, initialRuleBook('s1') as unknown as Any);
      docs.set(settingsId, settings);
      docs.set(rulesId, rules);
      expect((await projector.projectDoc(settingsId)).status).toBe('projected');
      expect((await projector.projectDoc(rulesId)).status).toBe('projected');
      expect((await projector.projectDoc(rulesId)).status).toBe('unchanged');
      const ruleIds = Object.keys(rules.rules as Any);
      expect(await snapshot('l1_rules', "site_id = 's1'")).toHaveLength(ruleIds.length);

      rules = A.change(A.clone(rules), (d) => {
        const r = d.rules as Record<string, Any>;
        (r[ruleIds[0] as string] as Any).enabled = false;
        delete r[ruleIds[1] as string];
      });
      settings = A.change(A.clone(settings), (d) => {
        d.healing_tier = 'full_coverage';
        (d.enabled_frameworks as Any).soc2 = true;
        d.notes = "Robert'); drop table l1_rules; --";
      });
      docs.set(rulesId, rules);
      docs.set(settingsId, settings);
      const r1 = await projector.projectDoc(rulesId);
      expect(r1).toMatchObject({ status: 'projected', full: false });
      await projector.projectDoc(settingsId);
      const incremental = [
        await snapshot('l1_rules', "site_id = 's1'"),
        await snapshot('site_frameworks', "site_id = 's1'"),
      ];
      expect(incremental[0]).toHaveLength(ruleIds.length - 1);
      const row = (
        await sql.query<{ notes: string; doc_heads: string[] }>(
          "select notes, doc_heads from site_settings where site_id = 's1'",
        )
      ).rows[0];
      expect(row?.notes).toContain('drop table');
      expect(row?.doc_heads).toEqual(A.getHeads(settings));
      await projector.projectDoc(rulesId, { full: true });
      await projector.projectDoc(settingsId, { full: true });
      expect([
        await snapshot('l1_rules', "site_id = 's1'"),
        await snapshot('site_frameworks', "site_id = 's1'"),
      ]).toEqual(incremental);
    });

    it('random concurrent histories: incremental projection equals a full rebuild (property)', async () => {
      const statsId = deriveDocId({ siteId: 's1', applianceId: appId }, 'pattern_stats');
      const sigs = ['0123456789abcdef', 'fedcba9876543210', 'aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'];
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              sig: fc.integer({ min: 0, max: 3 }),
              n: fc.integer({ min: 1, max: 5 }),
              del: fc.boolean(),
              project: fc.boolean(),
            }),
            { minLength: 1, maxLength: 25 },
          ),
          async (ops) => {
            let doc = genesisDoc(statsId, initialPatternStats('s1', appId) as unknown as Any);
            docs.set(statsId, doc);
            await sql.query('delete from projection_state where doc_id = $1', [statsId]);
            for (const op of ops) {
              const sig = sigs[op.sig] as string;
              doc = A.change(A.clone(doc), (d) => {
                const p = d.patterns as Record<string, Any>;
                if (op.del && p[sig]) delete p[sig];
                else {
                  const e = (p[sig] ??= {
                    incident_type: 'drift',
                    check_type: 'firewall_status',
                    total_occurrences: 0,
                    l1_resolutions: 0,
                    l2_resolutions: 0,
                    l3_resolutions: 0,
                    success_count: 0,
                    failure_count: 0,
                    total_resolution_time_ms: 0,
                    last_seen: 1,
                    recommended_action: null,
                  });
                  e.total_occurrences = (e.total_occurrences as number) + op.n;
                  e.success_count = (e.success_count as number) + 1;
                }
              });
              docs.set(statsId, doc);
              if (op.project) await projector.projectDoc(statsId);
            }
            await projector.projectDoc(statsId);
            const inc = await snapshot('pattern_stats', `appliance_id = '${appId}'`);
            await projector.projectDoc(statsId, { full: true });
            expect(await snapshot('pattern_stats', `appliance_id = '${appId}'`)).toEqual(inc);
            const totals = Object.values(
              doc.patterns as Record<string, { total_occurrences: number }>,
            ).reduce((a, p) => a + p.total_occurrences, 0);
            const projected = (
              await sql.query<{ n: string }>(
                'select coalesce(sum(total_occurrences),0)::text n from pattern_stats where appliance_id = $1',
                [appId],
              )
            ).rows[0];
            expect(Number(projected?.n)).toBe(totals);
          },
        ),
        { numRuns: 25 },
      );
    });

    it('a change queued while the projector reads the document stays queued and is projected next (sweep seed 46)', async () => {
      const id = deriveDocId({ siteId: 's1' }, 'site_settings');
      const before = docs.get(id) ?? genesisDoc(id, initialSiteSettings('s1') as unknown as Any);
      const after = A.change(A.clone(before), (d) => {
        d.notes = 'arrived during the read';
      });
      await sql.query('delete from projection_queue where doc_id = $1', [id]);
      await sql.query('insert into projection_queue (doc_id) values ($1)', [id]);
      let raced = false;
      const racing = new Projector({
        sql,
        // The read returns the old state, and a new change is stored and queued while it happens.
        source: async () => {
          if (!raced) {
            raced = true;
            docs.set(id, after);
            await sql.query('insert into projection_queue (doc_id) values ($1)', [id]);
            return before;
          }
          return docs.get(id);
        },
        entry: (x) => reg.document(x),
        projectors: ALL_PROJECTORS,
      });
      expect((await racing.projectNext())?.docId).toBe(id);
      const left = await sql.query<{ n: number }>(
        'select count(*)::int n from projection_queue where doc_id = $1',
        [id],
      );
      expect(left.rows[0]?.n).toBe(1);
      await racing.drain();
      const notes = await sql.query<{ notes: string }>(
        "select notes from site_settings where site_id = 's1'",
      );
      expect(notes.rows[0]?.notes).toBe('arrived during the read');
    });

    it('quarantines an invalid merged state with its heads and keeps going', async () => {
      const exId = deriveDocId({ siteId: 's1' }, 'exceptions');
      const bad = A.from<Any>({
        kind: 'exceptions',
        schemaVersion: 1,
        siteId: 's1',
        exceptions: { 'EXC-NOTVALID': { id: 'nope' } },
      });
      docs.set(exId, bad);
      const out = await projector.projectDoc(exId);
      expect(out.status).toBe('quarantined');
      const q = await sql.query<{ heads: string[]; reason: string }>(
        'select heads, reason from projection_quarantine where doc_id = $1',
        [exId],
      );
      expect(q.rows[0]?.heads).toEqual(A.getHeads(bad));
      expect(q.rows[0]?.reason).toMatch(/E_/);
    });

    // Two processes on one database need a server: on PGlite (one process, one connection) the second
    // worker would share the first one's connection, which proves nothing.
    if (engine === 'postgres')
      it('two workers drain one queue without double work or lost documents', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 30; i++) {
          const site = `w${i}`;
          await reg.createSite({ id: site, partnerId: 'p', name: site });
          const id = deriveDocId({ siteId: site }, 'rule_book');
          docs.set(id, genesisDoc(id as DocumentId, initialRuleBook(site) as unknown as Any));
          ids.push(id);
          await sql.query('insert into projection_queue (doc_id) values ($1), ($1)', [id]);
        }
        const db2 = new PgSqlClient(db.url);
        const second = new Projector({
          sql: db2,
          source: async (id) => docs.get(id),
          entry: (id) => reg.document(id),
          projectors: ALL_PROJECTORS,
        });
        const [a, b] = await Promise.all([projector.drain(), second.drain()]);
        await db2.close();
        expect(a + b).toBeGreaterThanOrEqual(30);
        expect(
          (await sql.query<{ n: number }>('select count(*)::int n from projection_queue')).rows[0]?.n,
        ).toBe(0);
        const states = await sql.query<{ n: number }>(
          'select count(*)::int n from projection_state where doc_id = any($1)',
          [ids],
        );
        expect(states.rows[0]?.n).toBe(30);
      });

    if (engine === 'postgres')
      it('drain with 4 workers projects every queued document once, concurrently, with its queue position', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 25; i++) {
          const site = `c${i}`;
          await reg.createSite({ id: site, partnerId: 'p', name: site });
          const id = deriveDocId({ siteId: site }, 'rule_book');
          docs.set(id, genesisDoc(id as DocumentId, initialRuleBook(site) as unknown as Any));
          ids.push(id);
          await sql.query('insert into projection_queue (doc_id) values ($1), ($1)', [id]);
        }
        const pool = new PgSqlClient(db.url);
        const parallel = new Projector({
          sql: pool,
          source: async (id) => docs.get(id),
          entry: (id) => reg.document(id),
          projectors: ALL_PROJECTORS,
          workers: 4,
        });
        const seen: string[] = [];
        let inFlight = 0;
        let most = 0;
        const read = parallel['deps'].source;
        (parallel as unknown as { deps: { source: typeof read } }).deps.source = async (id) => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          return read(id);
        };
        parallel.onOutcome = (id, outcome) => {
          if (outcome.status === 'projected') seen.push(id);
        };
        expect(await parallel.drain()).toBe(25);
        await pool.close();
        expect([...seen].sort()).toEqual([...ids].sort()); // each once
        expect(most).toBe(4);
        expect(
          (await sql.query<{ n: number }>('select count(*)::int n from projection_queue')).rows[0]?.n,
        ).toBe(0);
        // A change queued after the drain picked its documents stays queued for the next pass.
        await sql.query('insert into projection_queue (doc_id) values ($1)', [ids[0]]);
        expect(await projector.drain()).toBe(1);
      });
  });
