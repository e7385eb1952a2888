// Test helpers: a typed client for the intake service built from the same .proto, and event builders.
import { Client, type ClientDuplexStream, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadDriftService } from './drift-proto.ts';
import type { WireAck } from './intake-types.ts';

export const TOKENS = new Map([
  ['agent-1', 'token-agent-1-0123456789abcdef'],
  ['agent-2', 'token-agent-2-0123456789abcdef'],
]);

/** Metadata with a bearer token (agent-1's by default; null for none). */
export function auth(token: string | null = TOKENS.get('agent-1') ?? null): Metadata {
  const md = new Metadata();
  if (token !== null) md.set('authorization', `Bearer ${token}`);
  return md;
}

/** A valid drift event from agent-1. */
export function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: 'e-1',
    agent_id: 'agent-1',
    hostname: 'ws-frontdesk-01',
    check_type: 'defender',
    passed: false,
    expected: 'enabled',
    actual: 'disabled',
    hipaa_control: '164.308(a)(5)(ii)(B)',
    timestamp: Date.UTC(2025, 0, 1),
    severity: 'high',
    metadata: { realtime: 'off' },
    ...over,
  };
}

/** Acks as the client decodes them (int64/uint64 as numbers). */
export type AckOut = WireAck & { heal: WireAck['heal'] | null };

/** A client for ComplianceAgent on 127.0.0.1:port. */
export function intakeClient(port: number) {
  const svc = loadDriftService();
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const method = (name: string) => {
    const m = svc[name];
    if (!m) throw new Error(`no method ${name}`);
    return m;
  };
  return {
    client,
    unary<Res>(name: string, req: unknown, md: Metadata = auth()): Promise<Res> {
      const m = method(name);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          m.path,
          m.requestSerialize as (v: unknown) => Buffer,
          m.responseDeserialize as (b: Buffer) => Res,
          req,
          md,
          (err: ServiceError | null, res?: Res) => (err ? reject(err) : resolve(res as Res)),
        );
      });
    },
    stream(md: Metadata = auth()): ClientDuplexStream<unknown, AckOut> {
      const m = method('ReportDrift');
      return client.makeBidiStreamRequest(
        m.path,
        m.requestSerialize as (v: unknown) => Buffer,
        m.responseDeserialize as (b: Buffer) => AckOut,
        md,
      );
    },
    close: () => client.close(),
  };
}

/** Collects a stream's acks until it ends (resolves) or fails (resolves with the error). */
export function collect(
  call: ClientDuplexStream<unknown, AckOut>,
): Promise<{ acks: AckOut[]; error?: ServiceError }> {
  const acks: AckOut[] = [];
  return new Promise((resolve) => {
    call.on('data', (a: AckOut) => acks.push(a));
    call.on('error', (error: ServiceError) => resolve({ acks, error }));
    call.on('end', () => resolve({ acks }));
  });
}
