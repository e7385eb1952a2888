// Child process of wasm-headroom.test.ts: grows Automerge's WebAssembly memory to ~`total` MiB in
// documents (`total` × 16 of 64 KiB), optionally holding `hold` MiB first (-1: no WasmHeadroom), checking
// for top-ups every `checkEvery` documents (0: never), and prints the estimate before and after (MiB).
import { writeSync } from 'node:fs';
import * as A from '@automerge/automerge';
import { WasmHeadroom, wasmHeapEstimate } from './wasm-headroom.ts';

const [hold, total, checkEvery] = process.argv.slice(2).map(Number) as [number, number, number];
const headroom = hold >= 0 ? new WasmHeadroom({ initialMib: hold, checkMs: 0 }) : undefined;
const before = wasmHeapEstimate();
// Marks before this line belong to the hold itself; the test counts the ones the documents cause.
writeSync(1, 'documents\n');
const keep: A.Doc<unknown>[] = [];
const chunk = new Uint8Array(64 * 1024).fill(7);
for (let i = 0; i < total * 16; i++) {
  keep.push(A.from<{ i: number; b: Uint8Array }>({ i, b: chunk }));
  if (checkEvery > 0 && i % checkEvery === 0) headroom?.check();
}
process.stdout.write(
  `${JSON.stringify({ before: before / 2 ** 20, after: wasmHeapEstimate() / 2 ** 20, docs: keep.length, topUps: headroom?.topUps ?? 0 })}\n`,
);
