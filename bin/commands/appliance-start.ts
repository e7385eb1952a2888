import { join } from 'node:path';
import { loadDaemonConfig } from '../../appliance/daemon/config.ts';
import { startDaemon } from '../../appliance/daemon/daemon.ts';
import { EvidenceOutbox } from '../../appliance/evidence/outbox.ts';
import { type Uploader, startUploader } from '../../appliance/evidence/uploader.ts';
import { isOsirisError } from '../../schemas/errors.ts';
import { createLogger } from '../../sync/log.ts';
import { UsageError, stringOption } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

/**
 * `osiris appliance start --config FILE`: runs until SIGTERM/SIGINT (drain, flush, exit 0); SIGHUP
 * reloads the config. A bad config exits 2 with the coded error as one JSON log line.
 */
export async function run(ctx: CommandContext): Promise<number> {
  const path = stringOption(ctx.values.config);
  if (!path) throw new UsageError('--config FILE is required');
  let config;
  try {
    config = loadDaemonConfig(path);
  } catch (e) {
    if (!isOsirisError(e)) throw e;
    createLogger('appliance').fatal({ code: e.code, detail: e.detail }, e.message);
    process.stderr.write(`osiris appliance start: ${e.code}: ${e.message}\n`);
    return 2;
  }
  const logger = createLogger('appliance', { level: config.logLevel });
  // Evidence: signed and committed to the SQLite outbox before an event is acknowledged; drained to
  // the cloud in order whenever it is reachable (enrolled appliances only).
  let outbox: EvidenceOutbox | undefined;
  let uploader: Uploader | undefined;
  const evidence = (who: {
    siteId: string;
    applianceId: string;
    secretKey: Uint8Array;
    enrolled: boolean;
  }) => {
    outbox = new EvidenceOutbox({
      path: join(config.dataDir, 'evidence.db'),
      siteId: who.siteId,
      applianceId: who.applianceId,
      secretKey: who.secretKey,
    });
    if (who.enrolled) uploader = startUploader(outbox, config.cloudUrl, { logger });
    return outbox;
  };
  let daemon;
  try {
    daemon = await startDaemon(config, { evidence, logger });
  } catch (e) {
    await uploader?.stop();
    outbox?.close();
    if (!isOsirisError(e)) throw e;
    logger.fatal({ code: e.code }, e.message);
    process.stderr.write(`osiris appliance start: ${e.code}: ${e.message}\n`);
    return e.code.startsWith('E_DAEMON_CONFIG') || e.code === 'E_DAEMON_KEY_UNREADABLE' ? 2 : 1;
  }
  const running = daemon;
  const onHup = () => {
    try {
      running.reload(loadDaemonConfig(path));
    } catch (e) {
      // A broken edit must not take a running appliance down: keep the old config.
      logger.error(
        { code: isOsirisError(e) ? e.code : undefined, err: (e as Error).message },
        'reload refused',
      );
    }
  };
  process.on('SIGHUP', onHup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => resolve(s);
    process.once('SIGTERM', on);
    process.once('SIGINT', on);
  });
  logger.info({ signal }, 'stopping');
  process.off('SIGHUP', onHup);
  await running.stop();
  await uploader?.kick();
  await uploader?.stop();
  outbox?.close();
  return 0;
}
