import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Message, NetworkAdapter, type PeerId, type PeerMetadata } from '@automerge/automerge-repo';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Logger, silentLogger } from '../log.ts';
import { installNodeCrypto } from '../evidence/node-crypto.ts';
import { verify } from '../evidence/ed25519.ts';
import { PROTOCOL, decodeFrame, encodeFrame, handshakeTranscript } from './frames.ts';
import { CLOSE } from './close-codes.ts';
import { parseMessage, wireMessage } from './message-shape.ts';
import { netErrors } from './net-errors.ts';

/** The outcome of authenticating a key: the peer id the server will use for it, and who it is. */
export type AuthResult<P> =
  | { readonly ok: true; readonly peerId: string; readonly principal: P }
  | { readonly ok: false; readonly code: string };

export type InboundDecision =
  | { action: 'allow' }
  | { action: 'drop' }
  | { action: 'unavailable'; reply: Message }
  | { action: 'violation'; code: string };

export interface WsServerOptions<P> {
  readonly server: Server;
  readonly path?: string;
  /** This server's identity, bound into every handshake signature. */
  readonly serverName: string;
  /** Decides who a key is. The peer id it returns is the only one the Repo ever sees for that socket. */
  readonly authenticate: (publicKey: Uint8Array, claimedPeerId: string) => Promise<AuthResult<P>>;
  /** Called for every inbound message after authentication, in order per connection. */
  readonly inbound?: (principal: P, msg: Message) => Promise<InboundDecision>;
  readonly outbound?: (principal: P, msg: Message) => Promise<boolean> | boolean;
  readonly maxFrameBytes?: number;
  readonly messagesPerSecond?: number;
  readonly bytesPerSecond?: number;
  readonly handshakeTimeoutMs?: number;
  readonly heartbeatMs?: number;
  readonly logger?: Logger;
}

interface Session<P> {
  readonly socket: WebSocket;
  readonly nonce: Uint8Array;
  peerId?: PeerId;
  principal?: P;
  meta?: PeerMetadata;
  alive: boolean;
  tokens: number;
  bytes: number;
  last: number;
  chain: Promise<void>;
}

/**
 * The cloud end of the authenticated WebSocket transport. Every socket proves possession of an Ed25519
 * key over a fresh server nonce before anything reaches the Repo; every frame is decoded defensively,
 * size- and rate-limited; a bad frame closes that socket with a coded reason and nothing else.
 */
export class WsServerAdapter<P> extends NetworkAdapter {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session<P>>();
  private readonly byPeer = new Map<PeerId, Session<P>>();
  private ready = false;
  private readyResolve: (() => void) | undefined;
  private readonly readyPromise = new Promise<void>((r) => {
    this.readyResolve = r;
  });
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(private readonly o: WsServerOptions<P>) {
    super();
    this.log = o.logger ?? silentLogger;
    installNodeCrypto(); // handshake verification through node:crypto (this transport is Node-only)
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes ?? 8 * 1024 * 1024 });
    this.onUpgrade = (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== (o.path ?? '/sync')) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    };
    o.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => {
      for (const s of this.sessions) {
        if (!s.alive) {
          this.close(s, CLOSE.timeout, netErrors.E_HEARTBEAT.code);
          s.socket.terminate();
          continue;
        }
        s.alive = false;
        s.socket.ping();
      }
    }, o.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  isReady(): boolean {
    return this.ready;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    if (peerMetadata) this.peerMetadata = peerMetadata;
    this.ready = true;
    this.readyResolve?.();
    // Sessions that authenticated before the repo attached get their `ready` now.
    for (const s of this.sessions) if (s.peerId) this.admit(s);
  }

  disconnect(): void {
    for (const s of [...this.sessions]) this.close(s, CLOSE.goingAway, netErrors.E_SERVER_SHUTDOWN.code);
    this.ready = false;
  }

  /** Closes the live sessions whose principal matches (revocation). Returns how many were closed. */
  closeSessions(match: (principal: P) => boolean, code = netErrors.E_SESSION_REVOKED.code): number {
    let n = 0;
    for (const s of [...this.sessions]) {
      if (s.principal !== undefined && match(s.principal)) {
        this.close(s, CLOSE.unauthorized, code);
        n++;
      }
    }
    return n;
  }

  /** Stops accepting; closes every socket. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.o.server.off('upgrade', this.onUpgrade);
    this.disconnect();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  send(message: Message): void {
    const s = this.byPeer.get(message.targetId);
    if (!s || s.principal === undefined) return;
    const principal = s.principal;
    void (async () => {
      try {
        if (this.o.outbound && !(await this.o.outbound(principal, message))) return;
        if (s.socket.readyState === s.socket.OPEN)
          s.socket.send(encodeFrame({ t: 'msg', m: wireMessage(message) as unknown as Message }));
      } catch (e) {
        this.log.warn({ err: e }, 'send failed');
      }
    })();
  }

  get connections(): number {
    return this.sessions.size;
  }

  private accept(socket: WebSocket): void {
    const s: Session<P> = {
      socket,
      nonce: new Uint8Array(randomBytes(32)),
      alive: true,
      tokens: this.o.messagesPerSecond ?? 2000,
      bytes: this.o.bytesPerSecond ?? 32 * 1024 * 1024,
      last: Date.now(),
      chain: Promise.resolve(),
    };
    this.sessions.add(s);
    const timer = setTimeout(() => {
      if (!s.peerId) this.close(s, CLOSE.timeout, netErrors.E_HANDSHAKE_TIMEOUT.code);
    }, this.o.handshakeTimeoutMs ?? 10_000);
    timer.unref();
    socket.on('pong', () => {
      s.alive = true;
    });
    socket.on('error', (e) => {
      const tooBig = (e as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.close(
        s,
        tooBig ? CLOSE.tooLarge : CLOSE.malformed,
        tooBig ? netErrors.E_FRAME_TOO_LARGE.code : netErrors.E_FRAME_MALFORMED.code,
      );
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.drop(s);
    });
    socket.on('message', (data, isBinary) => {
      const bytes =
        isBinary && Buffer.isBuffer(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : undefined;
      if (!bytes) return this.close(s, CLOSE.malformed, netErrors.E_FRAME_MALFORMED.code);
      if (!this.allow(s, bytes.length))
        return this.close(s, CLOSE.rateLimited, netErrors.E_RATE_LIMITED.code);
      // Frames are handled strictly in order per connection, even when a hook is asynchronous.
      s.chain = s.chain
        .then(() => this.onFrame(s, bytes))
        .catch((e: unknown) => {
          this.log.error({ err: e }, 'frame handling failed');
          this.close(s, CLOSE.malformed, netErrors.E_FRAME_MALFORMED.code);
        });
    });
    socket.send(encodeFrame({ t: 'challenge', nonce: s.nonce, server: this.o.serverName }));
  }

  /** Token buckets refilled per second: messages and bytes. */
  private allow(s: Session<P>, size: number): boolean {
    const now = Date.now();
    const dt = (now - s.last) / 1000;
    s.last = now;
    const mps = this.o.messagesPerSecond ?? 2000;
    const bps = this.o.bytesPerSecond ?? 32 * 1024 * 1024;
    s.tokens = Math.min(mps, s.tokens + dt * mps) - 1;
    s.bytes = Math.min(bps, s.bytes + dt * bps) - size;
    return s.tokens >= 0 && s.bytes >= 0;
  }

  private async onFrame(s: Session<P>, bytes: Uint8Array): Promise<void> {
    if (!this.sessions.has(s)) return;
    const f = decodeFrame(bytes);
    if (!f) return this.close(s, CLOSE.malformed, netErrors.E_FRAME_MALFORMED.code);
    if (!s.peerId) {
      if (f.t !== 'auth') return this.close(s, CLOSE.unauthorized, netErrors.E_NOT_AUTHENTICATED.code);
      if (f.v !== PROTOCOL) return this.close(s, CLOSE.malformed, netErrors.E_FRAME_MALFORMED.code);
      const transcript = handshakeTranscript(this.o.serverName, s.nonce, f.publicKey, f.peerId);
      if (!verify(transcript, f.signature, f.publicKey))
        return this.close(s, CLOSE.unauthorized, netErrors.E_HANDSHAKE_SIGNATURE.code);
      const auth = await this.o.authenticate(f.publicKey, f.peerId);
      if (!auth.ok) return this.close(s, CLOSE.unauthorized, auth.code);
      const peerId = auth.peerId as PeerId;
      const previous = this.byPeer.get(peerId);
      if (previous && previous !== s) this.close(previous, CLOSE.replaced, netErrors.E_PEER_REPLACED.code);
      s.peerId = peerId;
      s.principal = auth.principal;
      s.meta = f.meta as PeerMetadata;
      this.byPeer.set(peerId, s);
      if (this.ready) this.admit(s);
      return;
    }
    if (f.t !== 'msg') return this.close(s, CLOSE.malformed, netErrors.E_FRAME_MALFORMED.code);
    // Rebuilt from checked fields only; the sender is who authenticated, whatever the frame claims.
    const msg = parseMessage(f.m, s.peerId, this.peerId as PeerId);
    if (!msg) return this.close(s, CLOSE.malformed, netErrors.E_FRAME_MALFORMED.code);
    const d =
      this.o.inbound && s.principal !== undefined
        ? await this.o.inbound(s.principal, msg)
        : ({ action: 'allow' } as const);
    if (d.action === 'allow') this.emit('message', msg);
    else if (d.action === 'unavailable') this.send(d.reply);
    else if (d.action === 'violation') this.close(s, CLOSE.forbidden, d.code);
  }

  private admit(s: Session<P>): void {
    if (!s.peerId || s.socket.readyState !== s.socket.OPEN) return;
    s.socket.send(
      encodeFrame({
        t: 'ready',
        peerId: this.peerId as string,
        meta: (this.peerMetadata ?? {}) as Record<string, unknown>,
      }),
    );
    this.emit('peer-candidate', { peerId: s.peerId, peerMetadata: s.meta ?? {} });
  }

  private close(s: Session<P>, code: number, reason: string): void {
    if (code !== CLOSE.goingAway) this.log.warn({ peer: s.peerId, code, reason }, 'closing session');
    try {
      s.socket.close(code, reason);
    } catch {
      s.socket.terminate();
    }
    this.drop(s);
  }

  private drop(s: Session<P>): void {
    if (!this.sessions.delete(s)) return;
    if (s.peerId && this.byPeer.get(s.peerId) === s) {
      this.byPeer.delete(s.peerId);
      this.emit('peer-disconnected', { peerId: s.peerId });
    }
  }
}
