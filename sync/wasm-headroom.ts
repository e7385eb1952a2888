// Automerge keeps every document in one WebAssembly memory, grown 64 KiB at a time as its allocator
// needs room. V8 counts a grown WebAssembly memory as newly allocated external memory, all of it: once
// the memory is past 64 MiB, EVERY grow starts a full incremental mark of the JavaScript heap
// ("external memory pressure" in --trace-incremental-marking). At 2,000 appliances the cloud's
// Automerge memory passes 64 MiB and keeps growing in small steps, so the cloud marked its 275 MB heap
// back to back — a full GC every ~400 ms, about half of its main thread — fell behind, and never caught
// up (P3, docs/benchmarks-notes.md). sync/wasm-headroom.test.ts counts the marks with and without.
//
// The cure is to grow rarely and in large steps: ask the allocator for one large block and give it
// back. The allocator (dlmalloc) cannot return memory to a WebAssembly memory, so the block stays in
// its free lists and later allocations are carved from it without growing. The only public way to make
// Automerge allocate an arbitrary amount is to hand it that many bytes: `load` copies its input into
// the WebAssembly memory, fails on the first header (zeros are not a document) and frees it.
// The held space is resident (the copy touches it): it shows in RSS from the start instead of later.
import * as A from '@automerge/automerge';

const MIB = 2 ** 20;

/**
 * One Automerge memory per process, so one account of it: the estimate at the last hold (`mark`), the
 * largest initial hold made, the top-ups made, and one timer shared by every WasmHeadroom in the
 * process (tests and the simulator run several cloud nodes in one).
 */
const shared = {
  mark: 0,
  initiallyHeld: 0,
  topUps: 0,
  users: new Set<WasmHeadroom>(),
  timer: undefined as NodeJS.Timeout | undefined,
};

/**
 * Makes Automerge's WebAssembly allocator hold at least `mib` MiB of free space (one grow, so at most
 * one full mark). A later call for no more than what is already free reuses it.
 */
export function reserveWasmHeap(mib: number): void {
  const bytes = Math.floor(mib * MIB);
  if (!(bytes > 0)) return;
  try {
    A.load(new Uint8Array(bytes));
  } catch {
    // expected: the bytes were copied in, refused as a document and freed — which is the point
  }
}

/**
 * Bytes of external memory that are not ArrayBuffers: in a process that runs Automerge, its
 * WebAssembly memory and little else. A proxy (V8 exposes no WebAssembly memory size without the
 * instance, which the package does not export), good to a few MiB.
 */
export function wasmHeapEstimate(): number {
  const m = process.memoryUsage();
  return Math.max(0, m.external - m.arrayBuffers);
}

export interface WasmHeadroomOptions {
  /** Free space held from the start (MiB); 0 holds nothing until the first top-up. */
  readonly initialMib: number;
  /** How often to look for growth past what was held (ms); 0: never (only the initial hold). */
  readonly checkMs?: number;
  /** Each top-up holds this much (MiB) or a quarter of the memory, whichever is larger. */
  readonly stepMib?: number;
  /** Growth (MiB) since the last hold that counts as "the held space ran out". */
  readonly slackMib?: number;
  /** Told after each top-up: the memory's estimated size and the amount held (MiB). */
  readonly onTopUp?: (info: { heapMib: number; heldMib: number }) => void;
}

/**
 * Holds free space in Automerge's WebAssembly memory, and tops it up when the memory has grown since
 * (the held space ran out): the memory then grows a few times in large steps, not thousands of times
 * in 64 KiB steps, each costing a full mark of the JavaScript heap. Instances share the process's
 * account: the first initial hold and every top-up count for all of them, and one timer checks.
 */
export class WasmHeadroom {
  constructor(private readonly o: WasmHeadroomOptions) {
    if (o.initialMib > shared.initiallyHeld) {
      reserveWasmHeap(o.initialMib);
      shared.initiallyHeld = o.initialMib;
    }
    // Growth is measured from the memory as it is now (held space included).
    shared.mark = Math.max(shared.mark, wasmHeapEstimate());
    const every = o.checkMs ?? 5000;
    if (every > 0) {
      shared.users.add(this);
      if (!shared.timer) {
        shared.timer = setInterval(() => [...shared.users][0]?.check(), every);
        shared.timer.unref();
      }
    }
  }

  /** Top-ups made in this process after the initial hold. */
  get topUps(): number {
    return shared.topUps;
  }

  /** Tops the held space up if the memory grew past the last hold; returns whether it did. */
  check(): boolean {
    const now = wasmHeapEstimate();
    if (now <= shared.mark + (this.o.slackMib ?? 8) * MIB) return false;
    const held = Math.max(this.o.stepMib ?? 64, now / MIB / 4);
    reserveWasmHeap(held);
    shared.mark = wasmHeapEstimate();
    shared.topUps++;
    this.o.onTopUp?.({ heapMib: shared.mark / MIB, heldMib: held });
    return true;
  }

  stop(): void {
    shared.users.delete(this);
    if (shared.users.size === 0 && shared.timer) {
      clearInterval(shared.timer);
      shared.timer = undefined;
    }
  }
}
