import { startCloud } from '../../cloud/cloud-node.ts';
import { portalMount } from '../../portal/index.ts';
import { createLogger } from '../../sync/log.ts';
import { intOption, stringOption, waitForSignal } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

/** `osiris cloud start`: runs until SIGTERM/SIGINT, then drains. */
export async function run(ctx: CommandContext): Promise<number> {
  const logger = createLogger('cloud');
  const portal = portalMount();
  const node = await startCloud({
    mount: [portal.mount],
    port: intOption(ctx.values.port, Number(process.env.PORT ?? 8080)),
    host: stringOption(ctx.values.host) ?? '127.0.0.1',
    databaseUrl: process.env.DATABASE_URL,
    dataDir: stringOption(ctx.values.data) ?? './data/cloud',
    logger,
  });
  // Behind a TLS-terminating proxy set PORTAL_SECURE_COOKIES=1 so session cookies carry `Secure`.
  const web = portal.attach({
    sql: node.sql,
    sync: node.sync,
    evidence: node.evidence,
    logger,
    secureCookies: process.env.PORTAL_SECURE_COOKIES === '1',
  });
  logger.info({ url: node.url, portal: `${node.url}/login`, services: node.services }, 'serving');
  await waitForSignal();
  await web.close();
  await node.close();
  return 0;
}
