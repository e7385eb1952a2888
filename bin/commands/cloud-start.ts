import { startCloud } from '../../cloud/cloud-node.ts';
import { createLogger } from '../../sync/log.ts';
import { intOption, stringOption, waitForSignal } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

/** `osiris cloud start`: runs until SIGTERM/SIGINT, then drains. */
export async function run(ctx: CommandContext): Promise<number> {
  const logger = createLogger('cloud');
  const node = await startCloud({
    port: intOption(ctx.values.port, Number(process.env.PORT ?? 8080)),
    host: stringOption(ctx.values.host) ?? '127.0.0.1',
    databaseUrl: process.env.DATABASE_URL,
    dataDir: stringOption(ctx.values.data) ?? './data/cloud',
    logger,
  });
  logger.info({ url: node.url, services: node.services }, 'serving');
  await waitForSignal();
  await node.close();
  return 0;
}
