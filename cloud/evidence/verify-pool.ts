// Ed25519 verification of evidence bundles off the event loop. The cloud's event loop also runs sync
// and projection; a batch of 500 signatures is ~33 ms of node:crypto work (P4's strict-verify row:
// ~15,000 signatures/s), so the raw checks go to worker threads (verify-worker.mjs) while the loop
// serves other peers. The strict checks (lengths, small-order keys, canonical S) stay here, in front;
// small batches, and any batch a worker fails to answer, are verified inline — the verdict never
// depends on where it ran.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type VerifyOutcome, strictPrecheck, verifyDetailed } from '../../sync/evidence/ed25519.ts';

export interface SignatureJob {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Below this many raw checks a round trip to a worker costs more than it saves. */
const MIN_OFFLOAD = 32;

interface Pending {
  readonly resolve: (ok: Uint8Array) => void;
  readonly reject: (e: Error) => void;
}

class WorkerSlot {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  dead = false;

  constructor(private readonly worker: Worker) {
    worker.unref(); // an idle pool never keeps a process alive
    worker.on('message', (m: { id: number; ok: Uint8Array }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      p?.resolve(m.ok);
    });
    const fail = (e: Error) => {
      this.dead = true;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`verify worker exited (${code})`)));
  }

  run(items: readonly SignatureJob[]): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      // Referenced while it owes an answer (a script awaiting it must not exit), idle otherwise.
      this.worker.ref();
      this.worker.postMessage({ id, items });
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

function defaultSize(): number {
  const set = Number(process.env.OSIRIS_VERIFY_WORKERS);
  if (Number.isInteger(set) && set >= 1 && set <= 64) return set;
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export class VerifyPool {
  private slots: WorkerSlot[] = [];
  /** Raw checks done by workers and inline (tests and metrics read these). */
  readonly counts = { offloaded: 0, inline: 0 };

  /**
   * One worker per core the event loop does not use, at least one, at most four;
   * `OSIRIS_VERIFY_WORKERS` overrides (docs/operations.md).
   */
  constructor(private readonly size = defaultSize()) {}

  private slot(i: number): WorkerSlot | undefined {
    let s = this.slots[i];
    if (!s || s.dead) {
      try {
        s = new WorkerSlot(new Worker(new URL('./verify-worker.mjs', import.meta.url)));
      } catch {
        return undefined;
      }
      this.slots[i] = s;
    }
    return s;
  }

  /** Strict Ed25519 verification of every job; the outcome per job, in order. Never rejects. */
  async verifyAll(jobs: readonly SignatureJob[]): Promise<VerifyOutcome[]> {
    const out: (VerifyOutcome | undefined)[] = jobs.map((j) => strictPrecheck(j.signature, j.publicKey));
    const raw = jobs.flatMap((j, i) => (out[i] === undefined ? [i] : []));
    const inline = (idx: readonly number[]) => {
      for (const i of idx) {
        const j = jobs[i] as SignatureJob;
        out[i] = verifyDetailed(j.message, j.signature, j.publicKey);
      }
      this.counts.inline += idx.length;
    };
    if (raw.length < MIN_OFFLOAD) inline(raw);
    else {
      const parts = Math.min(this.size, Math.ceil(raw.length / MIN_OFFLOAD));
      const per = Math.ceil(raw.length / parts);
      await Promise.all(
        Array.from({ length: parts }, async (_, p) => {
          const idx = raw.slice(p * per, (p + 1) * per);
          const s = this.slot(p);
          if (!s) return inline(idx);
          try {
            const ok = await s.run(idx.map((i) => jobs[i] as SignatureJob));
            if (ok.length !== idx.length) throw new Error('short answer');
            idx.forEach((i, k) => (out[i] = ok[k] === 1 ? 'ok' : 'invalid'));
            this.counts.offloaded += idx.length;
          } catch {
            inline(idx);
          }
        }),
      );
    }
    return out.map((o) => o ?? 'invalid');
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.terminate().catch(() => undefined)));
  }
}
