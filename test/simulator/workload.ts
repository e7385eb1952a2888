// Applies workload operations to a world and remembers what each one promised, so the invariants can
// check that every acknowledged increment, field edit, exception event and evidence bundle survived.
import type { ExceptionsDoc, RuleBook, SiteSettings } from '../../schemas/index.ts';
import { runFlywheel } from '../../cloud/flywheel/flywheel.ts';
import type { SimWorld, WorldAppliance } from '../helpers/sim-world.ts';
import { SESSIONS, type WorkloadOp } from './schedule.ts';

/** The simulated clock of incidents (the flywheel's recency window is measured on it). */
export const SIM_EPOCH = Date.parse('2026-11-20T00:00:00Z');
export const simNow = (step: number) => SIM_EPOCH + step * 60_000;

/** A settings field with exactly one writer, and the last value that writer gave it. */
export interface FieldExpectation {
  readonly siteId: string;
  readonly path: readonly string[];
  readonly value: string;
  readonly writer: string;
}

export interface ExceptionExpectation {
  readonly siteId: string;
  readonly id: string;
  readonly status: string;
  readonly events: number;
}

export class Expectations {
  /** `${applianceId}/${signature}` → incidents issued. */
  readonly issued = new Map<string, number>();
  readonly fields = new Map<string, FieldExpectation>();
  readonly exceptions = new Map<string, ExceptionExpectation>();
  events = 0;
  evidence = 0;
  partnerEdits = 0;
  adminEdits = 0;
  exceptionEvents = 0;
  promotions = 0;
  lostBatch = false;

  field(siteId: string, path: readonly string[], value: string, writer: string): void {
    this.fields.set(`${siteId}:${path.join('.')}`, { siteId, path, value, writer });
  }
}

const STATUS = { request: 'requested', approve: 'active', revoke: 'revoked' } as const;

export interface WorkloadContext {
  readonly world: SimWorld;
  readonly expect: Expectations;
  readonly step: number;
  readonly skewMs: number;
  readonly siteOf: (site: number) => string;
  readonly appliance: (app: number) => WorldAppliance;
  /** The injected bug drops this record op instead of journaling it. */
  readonly lose: boolean;
}

export async function applyWorkload(op: WorkloadOp, c: WorkloadContext): Promise<string | undefined> {
  const { world, expect, step } = c;
  switch (op.kind) {
    case 'record': {
      const a = c.appliance(op.app);
      const at = simNow(step) + c.skewMs;
      const batch = Array.from({ length: op.n }, (_, k) => ({
        signature: op.sig,
        incidentType: 'drift',
        checkType: 'firewall_status',
        at: at + k,
        ...(op.resolved
          ? {
              resolution: {
                level: 'L1' as const,
                outcome: 'success' as const,
                action: 'run_runbook:LIN-FW-001',
                // Healed by a rule: per-rule outcome counters move too (the flywheel and portal read them).
                ruleId: 'L1-FW-001',
                durationMs: 1200,
              },
            }
          : {}),
      }));
      if (c.lose) {
        expect.lostBatch = true;
        expect.events += op.n;
        expect.issued.set(`${a.id}/${op.sig}`, (expect.issued.get(`${a.id}/${op.sig}`) ?? 0) + op.n);
        return 'injected: batch lost';
      }
      a.sync.record(batch);
      expect.events += op.n;
      expect.issued.set(`${a.id}/${op.sig}`, (expect.issued.get(`${a.id}/${op.sig}`) ?? 0) + op.n);
      if (op.flush) await a.sync.flush();
      return undefined;
    }
    case 'evidence': {
      const a = c.appliance(op.app);
      // Real time (the log refuses bundles from the future), a day back, plus this appliance's skew.
      const base = Date.now() - 86_400_000 + c.skewMs;
      world.outbox(a).recordMany(
        Array.from({ length: op.n }, (_, k) => ({
          kind: 'check_result' as const,
          hostId: `host-${k % 3}`,
          checkType: 'firewall_status',
          outcome: 'pass' as const,
          observedAt: new Date(base + k).toISOString(),
        })),
      );
      expect.evidence += op.n;
      return undefined;
    }
    case 'partner-edit': {
      const siteId = c.siteOf(op.site);
      const actor = SESSIONS[op.session] ?? 'partner:unknown';
      const key = `session-${op.session}`;
      await world.cloud.editSiteDoc<SiteSettings>(siteId, 'site_settings', actor, 'settings.update', (d) => {
        if (op.session === 0) d.notes = op.value;
        else if (d.contacts[key]) (d.contacts[key] as { name: string }).name = op.value;
        else d.contacts[key] = { name: op.value };
      });
      expect.field(siteId, op.session === 0 ? ['notes'] : ['contacts', key, 'name'], op.value, actor);
      expect.partnerEdits++;
      return undefined;
    }
    case 'admin-edit': {
      const a = c.appliance(op.app);
      // One admin field per appliance; the site's first appliance also owns clinic_name. Concurrent
      // edits of the *same* field resolve by op id, not time: only distinct fields have a "must survive" answer.
      const first = world.appliances.find((x) => x.siteId === a.siteId) === a;
      const key = `admin-${op.app}`;
      a.sync.editSettings((d) => {
        if (first) d.clinic_name = `Clinic ${op.value}`;
        if (d.contacts[key]) (d.contacts[key] as { name: string }).name = op.value;
        else d.contacts[key] = { name: op.value };
      }, `admin-${op.app}`);
      if (first) expect.field(a.siteId, ['clinic_name'], `Clinic ${op.value}`, key);
      expect.field(a.siteId, ['contacts', key, 'name'], op.value, key);
      expect.adminEdits++;
      return undefined;
    }
    case 'exception': {
      const siteId = c.siteOf(op.site);
      const actor = SESSIONS[op.session] ?? 'partner:unknown';
      const k = `${siteId}/${op.id}`;
      const prev = expect.exceptions.get(k);
      if (op.event !== 'request' && !prev) return undefined;
      if (op.event === 'request' && prev) return undefined;
      const at = simNow(step);
      await world.cloud.editSiteDoc<ExceptionsDoc>(
        siteId,
        'exceptions',
        actor,
        `exception.${op.event}`,
        (d) => {
          const e = d.exceptions[op.id];
          if (!e) {
            d.exceptions[op.id] = {
              id: op.id,
              scope: 'check',
              item_id: 'firewall_status',
              reason: 'simulated legacy device that cannot run the firewall',
              compensating_control: '',
              action: 'suppress_alert',
              starts_at: at,
              expires_at: at + 30 * 86_400_000,
              requested_by: actor,
              requested_at: at,
              status: 'requested',
              history: [{ at, actor, event: 'request', status: 'requested' }],
            };
            return;
          }
          e.status = STATUS[op.event];
          if (op.event === 'approve') {
            e.approved_by = actor;
            e.approved_at = at;
          }
          e.history.push({ at, actor, event: op.event, status: STATUS[op.event] });
        },
      );
      expect.exceptions.set(k, {
        siteId,
        id: op.id,
        status: STATUS[op.event],
        events: (prev?.events ?? 0) + 1,
      });
      expect.exceptionEvents++;
      return undefined;
    }
    case 'promote': {
      await world.cloud.projectionIdle();
      const promoted = await runFlywheel(
        world.sql,
        async (siteId, rule) => {
          await world.cloud.editSiteDoc<RuleBook>(siteId, 'rule_book', 'flywheel', 'rule.promote', (d) => {
            d.rules[rule.id] = structuredClone(rule);
          });
        },
        { now: simNow(step) },
      );
      expect.promotions += promoted.length;
      return promoted.length > 0 ? `promoted ${promoted.map((p) => p.signature).join(',')}` : undefined;
    }
  }
}
