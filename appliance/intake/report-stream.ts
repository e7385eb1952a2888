import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import { silentLogger } from '../../sync/log.ts';
import { checkDriftEvent, type EventCheck } from './drift-event.ts';
import { type DecodedRequest, MALFORMED } from './drift-proto.ts';
import { codedStatus, statusError } from './grpc-status.ts';
import type { IntakeOptions, WireAck } from './intake-types.ts';

interface Pending {
  readonly seq: number;
  readonly eventId: string;
  readonly check: EventCheck;
}

/** The echo of a message's event_id, whatever else is wrong with it. */
export function eventIdOf(msg: Record<string, unknown>): string {
  return typeof msg.event_id === 'string' ? msg.event_id.slice(0, 128) : '';
}

/**
 * Serves one ReportDrift stream for an authenticated agent. Events queue up and go to onEvents in
 * batches (group commit); acks are written strictly in stream order, only after their batch is
 * journaled. Invalid events are nacked in place. A malformed frame ends the stream with
 * INVALID_ARGUMENT after the events before it are acked; a journal failure ends it with UNAVAILABLE.
 * Reading pauses while maxPending events wait.
 */
export function serveReportStream(
  call: ServerDuplexStream<DecodedRequest, WireAck>,
  agentId: string,
  options: IntakeOptions,
): void {
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 256;
  const maxPending = options.maxPending ?? 1024;
  const queue: Pending[] = [];
  let seq = 0;
  let flushing = false;
  let ended = false;
  let closed = false;
  let paused = false;
  let failure: ReturnType<typeof codedStatus> | undefined;

  const flush = async (): Promise<void> => {
    if (flushing || closed) return;
    flushing = true;
    try {
      while (queue.length > 0 && !closed) {
        const batch = queue.splice(0, maxBatch);
        const valid = batch.flatMap((p) => (p.check.ok ? [p.check.event] : []));
        let heals: readonly unknown[] = [];
        if (valid.length > 0) {
          try {
            heals = (await options.onEvents(valid)) ?? [];
          } catch (e) {
            log.error(
              { agentId, err: (e as Error).message, events: valid.length },
              'journal failed; stream ends unacked',
            );
            failure = codedStatus(
              status.UNAVAILABLE,
              'E_INTAKE_JOURNAL_FAILED',
              'events were not journaled; resend',
            );
            queue.length = 0;
            break;
          }
        }
        let v = 0;
        for (const p of batch) {
          if (closed) break;
          if (p.check.ok) {
            const heal = heals[v++] as WireAck['heal'] | undefined;
            call.write({
              seq: p.seq,
              event_id: p.eventId,
              accepted: true,
              error_code: '',
              error: '',
              ...(heal ? { heal } : {}),
            });
          } else {
            call.write({
              seq: p.seq,
              event_id: p.eventId,
              accepted: false,
              error_code: p.check.code,
              error: p.check.message,
            });
          }
        }
        if (paused && queue.length < maxPending / 2) {
          paused = false;
          call.resume();
        }
      }
    } finally {
      flushing = false;
    }
    if (closed) return;
    if (failure) {
      closed = true;
      call.emit('error', statusError(failure));
    } else if (ended && queue.length === 0) {
      closed = true;
      call.end();
    }
  };
  const kick = (): void => {
    flush().catch((e: unknown) => log.error({ err: (e as Error).message }, 'report stream flush failed'));
  };

  call.on('data', (msg: DecodedRequest) => {
    if (closed || failure) return;
    seq += 1;
    if (msg === MALFORMED) {
      failure = codedStatus(
        status.INVALID_ARGUMENT,
        'E_INTAKE_MALFORMED',
        `message ${seq} could not be decoded`,
      );
      call.pause();
    } else {
      queue.push({ seq, eventId: eventIdOf(msg), check: checkDriftEvent(msg, agentId, now()) });
      if (queue.length >= maxPending && !paused) {
        paused = true;
        call.pause();
      }
    }
    kick();
  });
  call.on('end', () => {
    ended = true;
    kick();
  });
  call.on('cancelled', () => {
    closed = true;
  });
  call.on('error', (e: Error) => {
    closed = true;
    log.warn({ agentId, err: e.message }, 'report stream error');
  });
}
