// Hostile bytes on the raw HTTP/2 (and TCP) transport: the server answers with a status and keeps serving.
import http2 from 'node:http2';
import net from 'node:net';
import { type Server, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from './agent-auth.ts';
import { loadDriftService, SERVICE_NAME } from './drift-proto.ts';
import { event, intakeClient, TOKENS } from './intake-client.test-helpers.ts';
import { closeIntake, createIntakeServer, listenIntake } from './intake-server.ts';

let server: Server;
let port: number;
let journaled = 0;

beforeAll(async () => {
  server = createIntakeServer({
    authenticate: bearerTokenAuthenticator(TOKENS),
    onEvents: (events) => {
      journaled += events.length;
      return Promise.resolve();
    },
    maxMessageBytes: 16 * 1024,
  });
  port = await listenIntake(server);
});
afterAll(() => closeIntake(server, 500));

const frame = (payload: Buffer, compressed = 0, declaredLength = payload.length): Buffer => {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressed, 0);
  head.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([head, payload]);
};

/** Sends raw body bytes to a method and returns grpc-status and what DATA came back. */
function rawCall(
  method: string,
  body: Buffer,
  contentType = 'application/grpc',
): Promise<{ grpcStatus: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': `/${SERVICE_NAME}/${method}`,
      'content-type': contentType,
      te: 'trailers',
      authorization: `Bearer ${TOKENS.get('agent-1') ?? ''}`,
    });
    const chunks: Buffer[] = [];
    let grpcStatus = -1;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) grpcStatus = Number(h['grpc-status']);
    };
    req.on('response', take);
    req.on('trailers', take);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('close', () => {
      session.close();
      resolve({ grpcStatus, data: Buffer.concat(chunks) });
    });
    req.on('error', () => undefined);
    req.end(body);
  });
}

const svc = loadDriftService();
const serialize = (v: unknown): Buffer => {
  const m = svc.ReportDrift;
  if (!m) throw new Error('no ReportDrift');
  return (m.requestSerialize as (x: unknown) => Buffer)(v);
};
// An unterminated varint tag: protobuf decoding throws (protobufjs tolerates many other garbage shapes,
// which then fail zod validation instead).
const GARBAGE = Buffer.from([0xff, 0xff, 0xff]);

describe('raw HTTP/2 garbage', () => {
  it('undecodable protobuf → INVALID_ARGUMENT', async () => {
    expect((await rawCall('ReportDriftOne', frame(GARBAGE))).grpcStatus).toBe(status.INVALID_ARGUMENT);
  });

  it('random bytes that happen to decode still fail validation → INVALID_ARGUMENT', async () => {
    expect((await rawCall('ReportDriftOne', frame(Buffer.from([0x08, 0x01])))).grpcStatus).toBe(
      status.INVALID_ARGUMENT,
    );
  });

  it('a frame header announcing 100 MB → RESOURCE_EXHAUSTED', async () => {
    expect((await rawCall('ReportDriftOne', frame(Buffer.alloc(10), 0, 100 * 1024 * 1024))).grpcStatus).toBe(
      status.RESOURCE_EXHAUSTED,
    );
  });

  it('a truncated frame and a bogus compressed flag get an error status', async () => {
    const truncated = await rawCall('ReportDriftOne', frame(Buffer.alloc(10), 0, 100));
    expect(truncated.grpcStatus).not.toBe(status.OK);
    const compressed = await rawCall('ReportDriftOne', frame(GARBAGE, 1));
    expect(compressed.grpcStatus).not.toBe(status.OK);
  });

  it('on a stream: the valid event before the garbage is acked, then INVALID_ARGUMENT', async () => {
    const before = journaled;
    const body = Buffer.concat([
      frame(serialize(event({ event_id: 'ok-1' }))),
      frame(GARBAGE),
      frame(serialize(event())),
    ]);
    const r = await rawCall('ReportDrift', body);
    expect(r.grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(journaled - before).toBe(1);
    expect(r.data.includes(Buffer.from('ok-1'))).toBe(true);
  });

  it('not HTTP/2 at all: the connection is dropped and the server keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () =>
        s.end(Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff garbage')),
      );
      s.on('close', () => resolve());
      s.on('error', () => undefined);
      s.resume();
    });
    const c = intakeClient(port);
    try {
      await expect(c.unary('ReportDriftOne', event())).resolves.toMatchObject({ accepted: true });
    } finally {
      c.close();
    }
  });
});
