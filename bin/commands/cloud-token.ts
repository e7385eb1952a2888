// `osiris cloud enroll-token --site ID [--ttl-hours N]`: issues a one-time enrollment token for a site.
import { Registry } from '../../cloud/registry/registry.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { openSql } from '../../sync/sql/open.ts';
import { UsageError, intOption, stringOption } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

export async function run(ctx: CommandContext): Promise<number> {
  const site = stringOption(ctx.values.site);
  if (!site) throw new UsageError('--site is required');
  const hours = intOption(ctx.values['ttl-hours'], 24);
  if (hours < 1 || hours > 24 * 30) throw new UsageError('--ttl-hours must be between 1 and 720');
  const sql = await openSql({
    url: process.env.DATABASE_URL,
    dataDir: stringOption(ctx.values.data) ?? './data/cloud',
  });
  try {
    await migrate(sql);
    const known = await sql.query('select 1 from sites where id = $1', [site]);
    if (known.rowCount === 0) {
      process.stderr.write(`osiris cloud enroll-token: E_NOT_FOUND — no site ${site}\n`);
      return 1;
    }
    const token = await new Registry(sql).issueEnrollmentToken(site, hours * 3_600_000);
    process.stdout.write(`${token}\n`);
    process.stderr.write(`one-time token for site ${site}, valid ${hours} h; only its hash is stored\n`);
    return 0;
  } finally {
    await sql.close();
  }
}
