import { type Message, NetworkAdapter, type PeerId, type PeerMetadata } from '@automerge/automerge-repo';
import nacl from 'tweetnacl';
import WebSocket from 'ws';
import { sign } from '../evidence/ed25519.ts';
import { installNodeCrypto } from '../evidence/node-crypto.ts';
import { type Logger, silentLogger } from '../log.ts';
import { CLOSE } from './close-codes.ts';
import {
  type BackoffPolicy,
  type ConnEvent,
  type ConnState,
  DEFAULT_BACKOFF,
  type Effect,
  closeEvent,
  transition,
} from './connection-state.ts';
import { PROTOCOL, decodeFrame, encodeFrame, handshakeTranscript } from './frames.ts';
import { parseMessage, wireMessage } from './message-shape.ts';
import { netErrors } from './net-errors.ts';

export interface WsClientOptions {
  readonly url: string;
  /** The appliance's Ed25519 secret key (64 bytes, tweetnacl format). */
  readonly secretKey: Uint8Array;
  /** Partial policies are completed from DEFAULT_BACKOFF. */
  readonly backoff?: Partial<BackoffPolicy>;
  readonly maxFrameBytes?: number;
  /** The server identity this client expects in the challenge (rejects a look-alike server). */
  readonly expectServer?: string;
  /**
   * No frame or ping from the server for this long on an open connection counts as a dead link
   * (half-open TCP after a NAT timeout). Default 45 s (three server heartbeats).
   */
  readonly idleTimeoutMs?: number;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/**
 * The appliance end of the authenticated WebSocket transport: a thin shell around the pure machine in
 * connection-state.ts. Socket failures of any kind become events, never exceptions; reconnects use
 * exponential backoff with full jitter; messages sent while disconnected are dropped (automerge-repo
 * re-syncs from heads on reconnect, so nothing is lost).
 */
export class WsClientAdapter extends NetworkAdapter {
  private state: ConnState = { kind: 'idle' };
  private socket: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private serverPeer: PeerId | undefined;
  private serverMeta: PeerMetadata = {};
  private challenge: { nonce: Uint8Array; server: string } | undefined;
  private readonly publicKey: Uint8Array;
  private readonly policy: BackoffPolicy;
  private readonly log: Logger;
  private readyResolve: (() => void) | undefined;
  private readonly readyPromise = new Promise<void>((r) => {
    this.readyResolve = r;
  });
  /** How the last session ended (4401 = unenrolled or revoked: the client stops). */
  lastClose: { code: number; reason: string } | undefined;

  constructor(private readonly o: WsClientOptions) {
    super();
    installNodeCrypto(); // handshake signatures through node:crypto (this transport is Node-only)
    this.publicKey = nacl.sign.keyPair.fromSecretKey(o.secretKey).publicKey;
    this.policy = { ...DEFAULT_BACKOFF, ...o.backoff };
    this.log = o.logger ?? silentLogger;
  }

  isReady(): boolean {
    return this.state.kind === 'open';
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  get connectionState(): ConnState['kind'] {
    return this.state.kind;
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    if (peerMetadata) this.peerMetadata = peerMetadata;
    this.dispatch({ kind: 'start' });
  }

  disconnect(): void {
    this.dispatch({ kind: 'stop' });
  }

  send(message: Message): void {
    const s = this.socket;
    if (this.state.kind !== 'open' || !s || s.readyState !== WebSocket.OPEN) return;
    try {
      s.send(encodeFrame({ t: 'msg', m: wireMessage(message) as unknown as Message }));
    } catch (e) {
      this.log.warn({ err: e }, 'send failed');
    }
  }

  private dispatch(e: ConnEvent): void {
    const { state, effects } = transition(
      this.state,
      e,
      Date.now(),
      (this.o.random ?? Math.random)(),
      this.policy,
    );
    const before = this.state.kind;
    this.state = state;
    if (before !== state.kind) this.log.debug({ from: before, to: state.kind, event: e.kind }, 'connection');
    for (const f of effects) this.run(f);
  }

  private run(f: Effect): void {
    switch (f.kind) {
      case 'open-socket':
        return this.open();
      case 'send-auth':
        return this.sendAuth();
      case 'drop-socket': {
        const ws = this.socket;
        this.socket = undefined;
        clearTimeout(this.idleTimer);
        if (ws) {
          ws.removeAllListeners();
          ws.on('error', () => undefined);
          try {
            ws.close(f.code, f.reason.slice(0, 120));
          } catch {
            ws.terminate();
          }
        }
        return;
      }
      case 'set-timer':
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.dispatch({ kind: 'timer' }), f.delayMs);
        this.timer.unref();
        return;
      case 'clear-timer':
        clearTimeout(this.timer);
        return;
      case 'peer-up':
        if (this.serverPeer)
          this.emit('peer-candidate', { peerId: this.serverPeer, peerMetadata: this.serverMeta });
        return;
      case 'peer-down':
        if (this.serverPeer) this.emit('peer-disconnected', { peerId: this.serverPeer });
        return;
      case 'ready':
        this.readyResolve?.();
        return;
    }
  }

  private sendAuth(): void {
    const ws = this.socket;
    const c = this.challenge;
    if (!ws || !c) return;
    const peerId = this.peerId as string;
    const signature = sign(handshakeTranscript(c.server, c.nonce, this.publicKey, peerId), this.o.secretKey);
    ws.send(
      encodeFrame({
        t: 'auth',
        v: PROTOCOL,
        publicKey: this.publicKey,
        signature,
        peerId,
        meta: (this.peerMetadata ?? {}) as Record<string, unknown>,
      }),
    );
  }

  /** Re-arms the dead-link detector: any frame or ping from the server proves it alive. */
  private touch(): void {
    if (this.state.kind !== 'open') return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.lastClose = { code: CLOSE.timeout, reason: netErrors.E_HEARTBEAT.code };
      this.dispatch({ kind: 'socket-close', code: CLOSE.timeout, reason: netErrors.E_HEARTBEAT.code });
    }, this.o.idleTimeoutMs ?? 45_000);
    this.idleTimer.unref();
  }

  private open(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.o.url, { maxPayload: this.o.maxFrameBytes ?? 64 * 1024 * 1024 });
    } catch (e) {
      this.log.warn({ err: e }, 'connect failed');
      queueMicrotask(() => this.dispatch({ kind: 'socket-error', message: (e as Error).message }));
      return;
    }
    ws.binaryType = 'nodebuffer';
    this.socket = ws;
    const mine = () => this.socket === ws;
    // Every socket error becomes an event: ECONNREFUSED, ECONNRESET, DNS failures alike.
    ws.on('error', (e) => {
      if (!mine()) return;
      this.log.debug({ err: e }, 'socket error');
      this.lastClose = { code: 1006, reason: e.message };
      this.dispatch({ kind: 'socket-error', message: e.message });
    });
    ws.on('close', (code, reason) => {
      if (!mine()) return;
      this.socket = undefined;
      clearTimeout(this.idleTimer);
      this.lastClose = { code, reason: reason.toString() };
      this.dispatch(closeEvent(code, reason.toString()));
    });
    ws.on('open', () => mine() && this.dispatch({ kind: 'socket-open' }));
    ws.on('ping', () => this.touch());
    ws.on('message', (data) => {
      if (!mine()) return;
      this.touch();
      const f = Buffer.isBuffer(data)
        ? decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        : undefined;
      if (!f) return this.protocolError('undecodable frame');
      if (f.t === 'challenge') {
        if (this.o.expectServer !== undefined && f.server !== this.o.expectServer) {
          this.lastClose = { code: CLOSE.unauthorized, reason: netErrors.E_SERVER_MISMATCH.code };
          return this.dispatch({
            kind: 'auth-rejected',
            code: CLOSE.unauthorized,
            reason: netErrors.E_SERVER_MISMATCH.code,
          });
        }
        this.challenge = { nonce: f.nonce, server: f.server };
        this.dispatch({ kind: 'challenge' });
      } else if (f.t === 'ready') {
        this.serverPeer = f.peerId as PeerId;
        this.serverMeta = f.meta as PeerMetadata;
        this.dispatch({ kind: 'authenticated' });
        this.touch();
      } else if (f.t === 'msg' && this.state.kind === 'open' && this.serverPeer) {
        const m = parseMessage(f.m, this.serverPeer, this.peerId as PeerId);
        if (!m) return this.protocolError('malformed message');
        this.emit('message', m);
      }
    });
  }

  private protocolError(what: string): void {
    this.log.warn({ what }, 'protocol error from server');
    this.lastClose = { code: CLOSE.malformed, reason: netErrors.E_FRAME_MALFORMED.code };
    this.dispatch({ kind: 'socket-error', message: netErrors.E_FRAME_MALFORMED.code });
  }
}
