// `osiris evidence export` (reads the cloud database) and `osiris evidence verify` (offline).
import { readFileSync, writeFileSync } from 'node:fs';
import { EvidenceLog } from '../../cloud/evidence/evidence-log.ts';
import { exportEvidence } from '../../cloud/evidence/export.ts';
import { installNodeCrypto } from '../../sync/evidence/node-crypto.ts';
import { explain, verifyExport } from '../../sync/evidence/verify-export.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { openSql } from '../../sync/sql/open.ts';
import { UsageError, stringOption } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

function isoOption(v: unknown, name: string): string | undefined {
  const s = stringOption(v);
  if (s === undefined) return undefined;
  if (Number.isNaN(Date.parse(s))) throw new UsageError(`--${name} must be an ISO 8601 time, got '${s}'`);
  return new Date(Date.parse(s)).toISOString();
}

export const exportModule = {
  async run(ctx: CommandContext): Promise<number> {
    const site = stringOption(ctx.values.site);
    if (!site) throw new UsageError('--site is required');
    const from = isoOption(ctx.values.from, 'from');
    const to = isoOption(ctx.values.to, 'to');
    const sql = await openSql({
      url: process.env.DATABASE_URL,
      dataDir: stringOption(ctx.values.data) ?? './data/cloud',
    });
    try {
      await migrate(sql);
      const cp = await sql.query<{ note: string }>(
        'select note from evidence_checkpoints order by size desc limit 1',
      );
      const origin = cp.rows[0]?.note.split('\n')[0] ?? 'osiris-cloud/evidence';
      const key = process.env.OSIRIS_EVIDENCE_KEY;
      const log = await EvidenceLog.open(sql, { origin, ...(key ? { signerKey: key } : {}) });
      const file = await exportEvidence(sql, log, {
        siteId: site,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      const text = `${JSON.stringify(file, null, 1)}\n`;
      const out = stringOption(ctx.values.out);
      if (out) {
        writeFileSync(out, text);
        const n = file.appliances.reduce((s, a) => s + a.bundles.length, 0);
        process.stderr.write(
          `wrote ${out}: ${n} bundles from ${file.appliances.length} appliance(s); log key ${file.log_key}\n`,
        );
      } else process.stdout.write(text);
      return 0;
    } finally {
      await sql.close();
    }
  },
};

export const verifyModule = {
  async run(ctx: CommandContext): Promise<number> {
    const path = ctx.positionals[0];
    if (!path) throw new UsageError('FILE is required');
    installNodeCrypto();
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      process.stderr.write(
        `osiris evidence verify: E_EVIDENCE_EXPORT_MALFORMED — cannot read ${path}: ${(e as Error).message}\n`,
      );
      return 1;
    }
    const trusted = ctx.values['trust-log-key'];
    const keys = (Array.isArray(trusted) ? trusted : trusted === undefined ? [] : [trusted]).map(String);
    const report = verifyExport(parsed, { trustedLogKeys: keys });
    if (ctx.values.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
    else process.stdout.write(`${explain(report)}\n`);
    return report.ok ? 0 : 1;
  },
};
