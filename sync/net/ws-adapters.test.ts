import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PeerId, Repo } from '@automerge/automerge-repo';
import { runNetworkAdapterTests } from '@automerge/automerge-repo/helpers/tests/network-adapter-tests.js';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { malleate } from './ed25519-strict.ts';
import { PROTOCOL, decodeFrame, encodeFrame, handshakeTranscript } from './frames.ts';
import { WsClientAdapter } from './ws-client-adapter.ts';
import { type AuthResult, WsServerAdapter } from './ws-server-adapter.ts';

async function listen(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync` };
}

const trustClaim = async (_k: Uint8Array, claimed: string): Promise<AuthResult<string>> => ({
  ok: true,
  peerId: claimed,
  principal: claimed,
});
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function rig(
  authenticate = trustClaim,
  extra: Partial<ConstructorParameters<typeof WsServerAdapter<string>>[0]> = {},
) {
  const { server, url } = await listen();
  const adapter = new WsServerAdapter<string>({
    server,
    serverName: 'test-cloud',
    authenticate,
    heartbeatMs: 60_000,
    ...extra,
  });
  const stop = async () => {
    await adapter.stop();
    await new Promise<void>((r) => server.close(() => r()));
  };
  cleanups.push(stop);
  const client = (key = nacl.sign.keyPair().secretKey) => {
    const c = new WsClientAdapter({ url, secretKey: key, backoff: { baseMs: 20, capMs: 200 } });
    cleanups.push(() => c.disconnect());
    return c;
  };
  return { server, url, adapter, client, stop };
}

describe('our WebSocket adapters: upstream acceptance suite', () => {
  runNetworkAdapterTests(async () => {
    const { server } = await listen();
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
    const hub = new WsServerAdapter<string>({
      server,
      serverName: 'suite',
      authenticate: trustClaim,
      heartbeatMs: 60_000,
    });
    const a = new WsClientAdapter({ url, secretKey: nacl.sign.keyPair().secretKey });
    const b = new WsClientAdapter({ url, secretKey: nacl.sign.keyPair().secretKey });
    return {
      adapters: [hub, a, b],
      teardown: () => {
        a.disconnect();
        b.disconnect();
        void hub.stop().then(() => server.close());
      },
    };
  });
});

/** Opens a raw socket, waits for the challenge, and returns it with the nonce. */
async function raw(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ ws: WebSocket; nonce: Uint8Array; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(url, options);
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  const nonce = await new Promise<Uint8Array>((resolve, reject) => {
    ws.once('message', (d: Buffer) => {
      const f = decodeFrame(new Uint8Array(d));
      if (f?.t === 'challenge') resolve(f.nonce);
      else reject(new Error('no challenge'));
    });
    ws.once('error', reject);
  });
  return { ws, nonce, closed };
}

describe('handshake and hostile input', () => {
  it('rejects an unknown key, a wrong signature, a replayed auth and a malleated signature with coded closes', async () => {
    const known = nacl.sign.keyPair();
    const auth = async (k: Uint8Array): Promise<AuthResult<string>> =>
      Buffer.from(k).equals(Buffer.from(known.publicKey))
        ? { ok: true, peerId: 'appliance:1', principal: '1' }
        : { ok: false, code: 'E_UNENROLLED' };
    const { url } = await rig(auth);
    const authFrame = (nonce: Uint8Array, kp = known, tamper?: (s: Uint8Array) => Uint8Array) => {
      let signature = nacl.sign.detached(
        handshakeTranscript('test-cloud', nonce, kp.publicKey, 'x'),
        kp.secretKey,
      );
      if (tamper) signature = tamper(signature);
      return encodeFrame({
        t: 'auth',
        v: PROTOCOL,
        publicKey: kp.publicKey,
        signature,
        peerId: 'x',
        meta: {},
      });
    };
    // Unknown key, correctly signed.
    const u = await raw(url);
    u.ws.send(authFrame(u.nonce, nacl.sign.keyPair()));
    expect(await u.closed).toEqual({ code: 4401, reason: 'E_UNENROLLED' });
    // Known key, signature over another nonce (a replay of an earlier session's auth).
    const first = await raw(url);
    const replay = authFrame(first.nonce);
    first.ws.close();
    const second = await raw(url);
    second.ws.send(replay);
    expect(await second.closed).toEqual({ code: 4401, reason: 'E_HANDSHAKE_SIGNATURE' });
    // Malleated signature: S + L verifies in plain tweetnacl but is not canonical.
    const m = await raw(url);
    m.ws.send(authFrame(m.nonce, known, malleate));
    expect((await m.closed).reason).toBe('E_HANDSHAKE_SIGNATURE');
    // A message before auth.
    const early = await raw(url);
    early.ws.send(
      encodeFrame({
        t: 'msg',
        m: {
          type: 'sync',
          senderId: 'x' as PeerId,
          targetId: 'y' as PeerId,
          documentId: 'd' as never,
          data: new Uint8Array(1),
        },
      }),
    );
    expect(await early.closed).toEqual({ code: 4401, reason: 'E_NOT_AUTHENTICATED' });
  });

  it('closes on oversized frames and rate-limit breaches without touching other connections', async () => {
    const { url, adapter } = await rig(trustClaim, { maxFrameBytes: 1024, messagesPerSecond: 50 });
    const big = await raw(url);
    big.ws.send(new Uint8Array(4096));
    expect((await big.closed).code).toBe(1009);
    const flood = await raw(url);
    for (let i = 0; i < 200; i++) flood.ws.send(new Uint8Array([0xa0]));
    expect((await flood.closed).reason).toMatch(/E_RATE_LIMITED|E_NOT_AUTHENTICATED|E_FRAME_MALFORMED/);
    expect(adapter.connections).toBe(0);
  });

  it('survives 10,000 random and mutated frames while two legitimate repos keep syncing', async () => {
    const { url, adapter, client } = await rig(trustClaim, { messagesPerSecond: 100_000 });
    const hub = new Repo({ network: [adapter], peerId: 'hub' as PeerId });
    const alice = new Repo({ network: [client()], peerId: 'alice' as PeerId });
    const bob = new Repo({ network: [client()], peerId: 'bob' as PeerId });
    cleanups.push(() =>
      Promise.all([hub.shutdown(), alice.shutdown(), bob.shutdown()]).then(() => undefined),
    );
    const h = alice.create<{ n: number }>({ n: 0 });
    await new Promise((r) => setTimeout(r, 100));
    const hb = await bob.find<{ n: number }>(h.url);
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const samples = [
      encodeFrame({
        t: 'auth',
        v: PROTOCOL,
        publicKey: new Uint8Array(32),
        signature: new Uint8Array(64),
        peerId: 'p',
        meta: {},
      }),
      encodeFrame({ t: 'ready', peerId: 'x', meta: {} }),
    ];
    let sent = 0;
    for (let conn = 0; conn < 110; conn++) {
      const ws = new WebSocket(url);
      await new Promise<void>((r) => {
        ws.on('open', () => r());
        ws.on('error', () => r());
      });
      for (let i = 0; i < 100 && ws.readyState === WebSocket.OPEN; i++) {
        const kind = rand();
        let frame: Uint8Array;
        if (kind < 0.4) frame = new Uint8Array(Math.floor(rand() * 300)).map(() => Math.floor(rand() * 256));
        else {
          const base = samples[Math.floor(rand() * samples.length)] as Uint8Array;
          frame = base.slice(0, Math.max(1, Math.floor(rand() * base.length)));
          for (let j = 0; j < 3; j++) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256);
        }
        ws.send(frame);
        sent++;
      }
      ws.terminate();
      if (conn % 10 === 0) h.change((d) => void (d.n += 1));
    }
    expect(sent).toBeGreaterThanOrEqual(10_000);
    h.change((d) => void (d.n += 1));
    for (let i = 0; i < 100 && hb.doc().n !== h.doc().n; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hb.doc().n).toBe(12);
  });

  it('reconnects after the server restarts, and stops for good after revocation', async () => {
    const kp = nacl.sign.keyPair();
    let revoked = false;
    const auth = async (): Promise<AuthResult<string>> =>
      revoked ? { ok: false, code: 'E_REVOKED' } : { ok: true, peerId: 'appliance:9', principal: '9' };
    const first = await rig(auth);
    const port = Number(new URL(first.url).port);
    const hub = new Repo({ network: [first.adapter], peerId: 'hub' as PeerId });
    const c = first.client(kp.secretKey);
    const app = new Repo({ network: [c], peerId: 'app' as PeerId });
    const doc = app.create<{ v: number }>({ v: 1 });
    await c.whenReady();
    expect((await hub.find<{ v: number }>(doc.url)).doc().v).toBe(1);
    await hub.shutdown();
    await first.stop();
    // Restart on the same port with a fresh repo.
    const server2 = createServer();
    await new Promise<void>((r) => server2.listen(port, '127.0.0.1', () => r()));
    const adapter2 = new WsServerAdapter<string>({
      server: server2,
      serverName: 'test-cloud',
      authenticate: auth,
      heartbeatMs: 60_000,
    });
    cleanups.push(async () => {
      await adapter2.stop();
      await new Promise<void>((r) => server2.close(() => r()));
    });
    const hub2 = new Repo({ network: [adapter2], peerId: 'hub' as PeerId });
    doc.change((d) => void (d.v = 2));
    for (let i = 0; i < 200 && c.connectionState !== 'open'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(c.connectionState).toBe('open');
    const again = await hub2.find<{ v: number }>(doc.url);
    for (let i = 0; i < 100 && again.doc().v !== 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(again.doc().v).toBe(2);
    revoked = true;
    expect(adapter2.closeSessions((p) => p === '9')).toBe(1);
    for (let i = 0; i < 200 && c.connectionState !== 'stopped'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(c.connectionState).toBe('stopped');
    expect(c.lastClose?.reason).toMatch(/E_REVOKED|E_SESSION_REVOKED/);
    await app.shutdown();
    await hub2.shutdown();
  });
});

describe('heartbeat', () => {
  it('the server closes an authenticated peer that stops answering pings (4408 E_HEARTBEAT); others stay', async () => {
    const { url, adapter, client } = await rig(trustClaim, { heartbeatMs: 60 });
    adapter.connect('server' as PeerId);
    const healthy = client();
    healthy.connect('healthy' as PeerId);
    await healthy.whenReady();
    const kp = nacl.sign.keyPair();
    const { ws, nonce, closed } = await raw(url, { autoPong: false });
    ws.send(
      encodeFrame({
        t: 'auth',
        v: PROTOCOL,
        publicKey: kp.publicKey,
        signature: nacl.sign.detached(
          handshakeTranscript('test-cloud', nonce, kp.publicKey, 'mute'),
          kp.secretKey,
        ),
        peerId: 'mute',
        meta: {},
      }),
    );
    const ready = await new Promise<string | undefined>((r) =>
      ws.once('message', (d: Buffer) => r(decodeFrame(new Uint8Array(d))?.t)),
    );
    expect(ready).toBe('ready');
    expect(await closed).toEqual({ code: 4408, reason: 'E_HEARTBEAT' });
    expect(healthy.connectionState).toBe('open');
  });

  it('the client drops a link on which the server went silent (half-open TCP) and reconnects', async () => {
    const { server, url } = await listen();
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    let sessions = 0;
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ server });
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    // A server that completes the handshake and then never sends a frame or a ping again.
    wss.on('connection', (ws) => {
      sessions++;
      ws.send(encodeFrame({ t: 'challenge', nonce: new Uint8Array(32).fill(sessions), server: 'mute' }));
      ws.on('message', () => ws.send(encodeFrame({ t: 'ready', peerId: 'server', meta: {} })));
    });
    const c = new WsClientAdapter({
      url,
      secretKey: nacl.sign.keyPair().secretKey,
      backoff: { baseMs: 20, capMs: 100 },
      idleTimeoutMs: 150,
    });
    cleanups.push(() => c.disconnect());
    c.connect('client' as PeerId);
    await c.whenReady();
    for (let i = 0; i < 200 && sessions < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sessions).toBeGreaterThanOrEqual(2);
    expect(c.lastClose).toEqual({ code: 4408, reason: 'E_HEARTBEAT' });
  });
});
