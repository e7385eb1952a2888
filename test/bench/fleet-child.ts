// Child process of the P3 fleet benchmark: runs several simulated appliances (ours: ApplianceSync on
// SQLite + the authenticated WebSocket client; stock: a Repo on NodeFS + the stock WebSocket client),
// each making one change every `intervalMs`, stamped with the time it was made.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { WsClientAdapter } from '../../sync/net/ws-client-adapter.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import { stockClient } from './stock-stack.ts';

export interface FleetChildConfig {
  readonly kind: 'ours' | 'stock';
  readonly dir: string;
  /** Ours: ws://…/sync of the cloud. Stock: the server's port. */
  readonly url: string;
  readonly port: number;
  readonly appliances: ReadonlyArray<{ siteId: string; applianceId: string; secretKey: string }>;
  readonly staggerMs: number;
  readonly intervalMs: number;
}

export type FleetParentMessage = { type: 'go'; durationMs: number } | { type: 'stop' };
export type FleetChildMessage =
  | { type: 'ready'; open: number }
  /** `stamps`: per measured document, the time stamped into each change made (ms since the epoch). */
  | {
      type: 'done';
      changes: number;
      errors: number;
      stamps: Record<string, number[]>;
      /** CPU time this process used during the run (user + system, ms). */
      cpuMs: number;
    }
  | { type: 'error'; message: string };

const send = (m: FleetChildMessage) => process.send?.(m);
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One appliance: `change()` makes one change stamped with the current time and returns the stamp;
 * `docId` is the document the stamp lands in; `open()` tells whether it is connected.
 */
interface Sim {
  readonly docId: string;
  open(): boolean;
  change(signature: string): Promise<number>;
}

async function ours(c: FleetChildConfig, a: FleetChildConfig['appliances'][number]): Promise<Sim> {
  const dir = join(c.dir, a.applianceId);
  mkdirSync(dir, { recursive: true });
  const client = new WsClientAdapter({
    url: c.url,
    secretKey: new Uint8Array(Buffer.from(a.secretKey, 'base64')),
    backoff: { baseMs: 200, capMs: 2000 },
  });
  const sync = await ApplianceSync.start({
    siteId: a.siteId,
    applianceId: a.applianceId,
    storage: new SqliteStorageAdapter(join(dir, 'docs.db')),
    network: [client],
    journalPath: join(dir, 'journal.db'),
    coalesceMs: 0,
  });
  return {
    docId: deriveDocId({ siteId: a.siteId, applianceId: a.applianceId }, 'pattern_stats'),
    open: () => client.connectionState === 'open',
    async change(signature) {
      const at = Date.now();
      sync.record([{ signature, incidentType: 'drift', checkType: 'firewall_status', at }]);
      await sync.flush();
      return at;
    },
  };
}

function stock(c: FleetChildConfig, a: FleetChildConfig['appliances'][number]): Sim {
  const repo: Repo = stockClient(join(c.dir, a.applianceId), c.port, a.applianceId, 2000);
  const handle: DocHandle<{ last: number; n: number }> = repo.create({ last: 0, n: 0 });
  return {
    docId: handle.documentId,
    open: () => repo.peers.length > 0,
    change() {
      const at = Date.now();
      handle.change((d) => {
        d.last = at;
        d.n += 1;
      });
      return Promise.resolve(at);
    },
  };
}

async function main(c: FleetChildConfig): Promise<void> {
  const sims: Sim[] = [];
  for (const a of c.appliances) {
    sims.push(c.kind === 'ours' ? await ours(c, a) : stock(c, a));
    await sleep(c.staggerMs);
  }
  for (let i = 0; i < 600 && !sims.every((s) => s.open()); i++) await sleep(100);
  send({ type: 'ready', open: sims.filter((s) => s.open()).length });
  process.on('message', (m: FleetParentMessage) => {
    if (m.type === 'stop') process.exit(0);
    let changes = 0;
    let errors = 0;
    const stamps: Record<string, number[]> = {};
    const cpu0 = process.cpuUsage();
    const end = Date.now() + m.durationMs;
    // Each appliance changes every intervalMs at its own phase, so the load is spread evenly.
    const runs = sims.map(async (s, i) => {
      await sleep((i / sims.length) * c.intervalMs + Math.random() * 50);
      const sig = (i % 4096).toString(16).padStart(16, '0');
      while (Date.now() < end) {
        const t = Date.now();
        try {
          (stamps[s.docId] ??= []).push(await s.change(sig));
          changes++;
        } catch {
          errors++;
        }
        await sleep(Math.max(0, c.intervalMs - (Date.now() - t)));
      }
    });
    void Promise.all(runs).then(() =>
      send({ type: 'done', changes, errors, stamps, cpuMs: cpuMs(process.cpuUsage(cpu0)) }),
    );
  });
}

process.once('message', (c: FleetChildConfig) => {
  main(c).catch((e: unknown) => {
    send({ type: 'error', message: (e as Error).message });
    process.exit(1);
  });
});
