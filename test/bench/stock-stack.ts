// The baseline stack as its users deploy it: a stock sync server (Repo + NodeFS storage + the stock
// WebSocket server adapter, sharing nothing unasked) and stock clients (NodeFS + stock WebSocket client).
import type { AddressInfo } from 'node:net';
import { type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter, WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { WebSocketServer } from 'ws';
import { restoreStockBs58check } from '../../sync/fast-bs58check.ts';

export interface StockServer {
  readonly repo: Repo;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a stock sync server on `port` (0: any free port). */
export async function startStockServer(dir: string, port = 0): Promise<StockServer> {
  // Our nodes swap automerge-repo's head encoding onto node:crypto for the whole process; the stock
  // stack runs the library's own (ours and stock are measured one after the other, never together).
  restoreStockBs58check();
  const wss = new WebSocketServer({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const repo = new Repo({
    peerId: 'stock-server' as PeerId,
    network: [
      new WebSocketServerAdapter(wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]),
    ],
    storage: new NodeFSStorageAdapter(dir),
    sharePolicy: async () => false,
  });
  return {
    repo,
    port: (wss.address() as AddressInfo).port,
    async close() {
      await repo.flush().catch(() => undefined);
      await repo.shutdown();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

/** A stock client repo on NodeFS that syncs with the server at `port` (retrying every `retryMs`). */
export function stockClient(dir: string, port: number, peerId: string, retryMs = 5000): Repo {
  restoreStockBs58check();
  return new Repo({
    peerId: peerId as PeerId,
    network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`, retryMs)],
    storage: new NodeFSStorageAdapter(dir),
  });
}
