import { type Rule, parseRuleAction } from '../../schemas/index.ts';
import type { Logger } from '../../sync/log.ts';
import { silentLogger } from '../../sync/log.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';

export interface Candidate {
  readonly siteId: string;
  readonly signature: string;
  readonly incidentType: string;
  readonly checkType: string | null;
  readonly occurrences: number;
  readonly successRate: number;
  readonly action: string;
}

/** Writes a rule into a site's RuleBook document (the cloud's copy; it reaches appliances through sync). */
export type RuleBookWriter = (siteId: string, rule: Rule) => Promise<void>;

/** The rule id a pattern is promoted under: deterministic, so racing promoters write the same key. */
export function promotedRuleId(signature: string): string {
  return `PROMO-${signature}`;
}

/** Candidates from the projected, site-summed stats, with each partner's thresholds (domain.md defaults). */
export async function findCandidates(sql: SqlClient, now = Date.now()): Promise<Candidate[]> {
  const r = await sql.query<{
    site_id: string;
    signature: string;
    incident_type: string;
    check_type: string | null;
    total_occurrences: string;
    success_count: string;
    recommended_action: string | null;
  }>(
    `select s.site_id, s.signature, s.incident_type, s.check_type, s.total_occurrences::text, s.success_count::text, s.recommended_action
       from site_pattern_stats s
       join sites on sites.id = s.site_id
       left join partner_settings ps on ps.partner_id = sites.partner_id
       left join promotions p on p.site_id = s.site_id and p.signature = s.signature
      where p.signature is null
        and s.recommended_action is not null
        and s.total_occurrences >= coalesce(ps.min_occurrences, 5)
        and s.success_count::float8 / nullif(s.total_occurrences, 0) >= coalesce(ps.min_success_rate, 0.9)
        and s.last_seen >= $1::timestamptz - make_interval(days => coalesce(ps.recent_days, 7))
      order by s.site_id, s.signature`,
    [new Date(now).toISOString()],
  );
  return r.rows
    .map((x) => ({
      siteId: x.site_id,
      signature: x.signature,
      incidentType: x.incident_type,
      checkType: x.check_type,
      occurrences: Number(x.total_occurrences),
      successRate: Number(x.success_count) / Number(x.total_occurrences),
      action: x.recommended_action as string,
    }))
    .filter((c) => {
      // Never promote a placeholder (AUTO-*: parseRuleAction refuses it), an unparseable action, or
      // a bare escalation (that is what happens without a rule anyway).
      const a = parseRuleAction(c.action);
      return a !== null && a.type !== 'escalate';
    });
}

/** The L1 rule a candidate becomes (domain.md: priority 50, cooldown 300, source promoted). */
export function ruleFor(c: Candidate, now: number): Rule {
  const conditions: Rule['conditions'] = [{ field: 'incident_type', operator: 'eq', value: c.incidentType }];
  if (c.checkType) conditions.push({ field: 'check_type', operator: 'eq', value: c.checkType });
  return {
    id: promotedRuleId(c.signature),
    name: `Promoted: ${c.incidentType}${c.checkType ? ` / ${c.checkType}` : ''}`,
    description: `Promoted from pattern ${c.signature}: ${c.occurrences} occurrences, ${(c.successRate * 100).toFixed(1)}% success`,
    conditions,
    action: c.action,
    action_params: {},
    hipaa_controls: [],
    enabled: true,
    priority: 50,
    cooldown_seconds: 300,
    max_retries: 1,
    source: 'promoted',
    pattern_signature: c.signature,
    promoted_at: now,
  } as Rule;
}

/**
 * One flywheel cycle: each candidate is claimed in Postgres (primary key on site+signature, so of two
 * racing cloud workers exactly one proceeds), written into the site's RuleBook document, and recorded
 * in the append-only cloud audit log. A failed document write releases the claim for the next cycle.
 */
export async function runFlywheel(
  sql: SqlClient,
  write: RuleBookWriter,
  options: { now?: number; logger?: Logger } = {},
): Promise<Candidate[]> {
  const now = options.now ?? Date.now();
  const log = options.logger ?? silentLogger;
  const promoted: Candidate[] = [];
  for (const c of await findCandidates(sql, now)) {
    const rule = ruleFor(c, now);
    const claimed = await sql.query(
      'insert into promotions (site_id, signature, rule_id, action, occurrences, success_rate) values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning site_id',
      [c.siteId, c.signature, rule.id, c.action, c.occurrences, c.successRate],
    );
    if (claimed.rowCount === 0) continue;
    try {
      await write(c.siteId, rule);
    } catch (e) {
      await sql.query('delete from promotions where site_id = $1 and signature = $2', [
        c.siteId,
        c.signature,
      ]);
      log.error({ err: e, candidate: c }, 'promotion write failed; released');
      continue;
    }
    await sql.query(
      "insert into cloud_audit (site_id, actor, action, target, detail) values ($1, 'flywheel', 'rule.promote', $2, $3)",
      [
        c.siteId,
        rule.id,
        JSON.stringify({
          signature: c.signature,
          occurrences: c.occurrences,
          successRate: c.successRate,
          action: c.action,
        }),
      ],
    );
    promoted.push(c);
  }
  return promoted;
}
