// Samples site-wide pattern totals over time into portal_pattern_samples (the projection keeps only
// current totals), so the dashboard can draw trends. One set-based statement per tick; a pattern
// whose totals did not move since its last sample is not sampled again.
import type { Logger } from '../../sync/log.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';

const SAMPLE_SQL = `insert into portal_pattern_samples
  (site_id, signature, sampled_at, total_occurrences, success_count, l1_resolutions, l2_resolutions, l3_resolutions)
select s.site_id, s.signature, $1, s.total_occurrences, s.success_count, s.l1_resolutions, s.l2_resolutions, s.l3_resolutions
  from site_pattern_stats s
 where not exists (
   select 1 from portal_pattern_samples p
    where p.site_id = s.site_id and p.signature = s.signature
      and p.total_occurrences = s.total_occurrences
      and p.sampled_at = (select max(sampled_at) from portal_pattern_samples q
                           where q.site_id = s.site_id and q.signature = s.signature))
on conflict do nothing`;

export class PatternSampler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** Takes one sample now (tests call this directly). */
  async sample(now = new Date()): Promise<void> {
    await this.sql.query(SAMPLE_SQL, [now]);
  }

  start(): void {
    const tick = () => {
      this.running = this.sample().catch((e: unknown) => this.logger.warn({ err: e }, 'pattern sample failed'));
    };
    tick();
    this.timer = setInterval(tick, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
