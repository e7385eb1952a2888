import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { WasmHeadroom } from './wasm-headroom.ts';

const CHILD = join(import.meta.dirname, 'wasm-headroom-child.ts');

/**
 * Runs the child under --trace-incremental-marking: it grows Automerge's WebAssembly memory to about
 * 130 MiB in documents. Returns how many full marks V8 started for "external memory pressure" (the
 * marks a grown WebAssembly memory starts) while the documents were made — the hold's own marks
 * (1–2: the 256 MiB input array and the grow) come before — and what the child reported.
 */
async function run(hold: number, checkEvery: number) {
  const child = spawn(
    process.execPath,
    ['--trace-incremental-marking', '--import', 'tsx', CHILD, String(hold), '60', String(checkEvery)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let marks = 0;
  let report = '{}';
  let documents = false;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'documents') documents = true;
    else if (documents && line.includes('Start (external memory pressure)')) marks++;
    else if (line.startsWith('{')) report = line;
  }
  return { marks, ...(JSON.parse(report) as { before: number; after: number; topUps: number }) };
}

describe('WasmHeadroom', () => {
  it('without a hold, every small grow past 64 MiB starts a full mark of the JavaScript heap', async () => {
    const r = await run(-1, 0);
    expect(r.after).toBeGreaterThan(120);
    expect(r.marks).toBeGreaterThan(100);
  }, 60_000);

  it('holding the space up front grows the memory once: one mark instead of hundreds', async () => {
    const r = await run(256, 0);
    // The hold is in place before the documents, and they fit in it: the memory did not grow after.
    expect(r.before).toBeGreaterThan(256);
    expect(r.after - r.before).toBeLessThan(8);
    expect(r.marks).toBeLessThanOrEqual(1);
  }, 60_000);

  it('tops the space up when the memory grew past the hold', async () => {
    const control = await run(-1, 0);
    const r = await run(0, 64);
    expect(r.topUps).toBeGreaterThanOrEqual(1);
    expect(r.after).toBeGreaterThan(120);
    expect(r.marks).toBeLessThan(control.marks / 3);
  }, 60_000);

  it('instances share one account of the memory: a top-up by one is not repeated by another', () => {
    const a = new WasmHeadroom({ initialMib: 0, checkMs: 0, stepMib: 32 });
    const b = new WasmHeadroom({ initialMib: 0, checkMs: 0, stepMib: 32 });
    const keep: A.Doc<unknown>[] = [];
    const chunk = new Uint8Array(64 * 1024).fill(1);
    // ~30 MiB of documents: past the 8 MiB slack, inside one 32 MiB top-up.
    for (let i = 0; i < 200; i++) keep.push(A.from<{ b: Uint8Array }>({ b: chunk }));
    const topUps = a.topUps;
    expect(a.check()).toBe(true);
    expect(b.check()).toBe(false);
    expect(a.topUps).toBe(topUps + 1);
    expect(b.topUps).toBe(a.topUps);
    expect(keep).toHaveLength(200);
    a.stop();
    b.stop();
  });
});
