// Drains the evidence outbox to the cloud whenever it is reachable: on an interval, in order,
// resumably (see EvidenceOutbox.drain). Errors are logged and retried on the next tick, never thrown.
import type { Logger } from '../../sync/log.ts';
import type { EvidenceOutbox } from './outbox.ts';

export interface Uploader {
  /** Drains now (coalesced with a drain already running). */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

export function startUploader(
  outbox: EvidenceOutbox,
  cloudUrl: string,
  o: { intervalMs?: number; logger: Logger },
): Uploader {
  let running: Promise<void> | undefined;
  let stopped = false;
  const once = async () => {
    if (outbox.pending() === 0) return;
    try {
      const r = await outbox.drain(cloudUrl.replace(/\/$/, ''));
      if (r.uploaded > 0)
        o.logger.info({ uploaded: r.uploaded, pending: outbox.pending() }, 'evidence uploaded');
      if (r.refused)
        o.logger.error({ ...r.refused }, 'evidence refused by the cloud: operator attention needed');
    } catch (e) {
      o.logger.debug({ err: (e as Error).message }, 'evidence upload deferred (cloud unreachable)');
    }
  };
  const kick = () => {
    if (stopped) return Promise.resolve();
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void kick(), o.intervalMs ?? 15_000);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
