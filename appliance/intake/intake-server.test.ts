import { type Server, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from './agent-auth.ts';
import type { DriftEvent } from './drift-event.ts';
import { auth, collect, event, intakeClient, TOKENS } from './intake-client.test-helpers.ts';
import { closeIntake, createIntakeServer, listenIntake } from './intake-server.ts';
import type { HealCommand, IntakeOptions } from './intake-types.ts';

let server: Server | undefined;
let client: ReturnType<typeof intakeClient> | undefined;
afterEach(async () => {
  client?.close();
  if (server) await closeIntake(server, 500);
  server = undefined;
  client = undefined;
});

async function start(over: Partial<IntakeOptions> = {}) {
  const journaled: DriftEvent[][] = [];
  const options: IntakeOptions = {
    authenticate: bearerTokenAuthenticator(TOKENS),
    // A journal with fsync-like latency, so events arriving meanwhile are group-committed.
    onEvents: async (events) => {
      journaled.push([...events]);
      await new Promise((r) => setImmediate(r));
    },
    maxMessageBytes: 16 * 1024,
    ...over,
  };
  server = createIntakeServer(options);
  const port = await listenIntake(server);
  client = intakeClient(port);
  return { port, journaled, client };
}

describe('drift intake: auth', () => {
  it.each([
    ['no token', null],
    ['unknown token', 'token-unknown-0123456789abcdef'],
    ['empty bearer', ''],
  ])('%s → UNAUTHENTICATED on every method', async (_name, token) => {
    const { client: c, journaled } = await start();
    for (const [m, req] of [
      ['Register', { agent_id: 'agent-1' }],
      ['Heartbeat', { agent_id: 'agent-1' }],
      ['ReportDriftOne', event()],
    ] as const)
      await expect(c.unary(m, req, auth(token))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    const call = c.stream(auth(token));
    call.write(event());
    call.end();
    expect((await collect(call)).error?.code).toBe(status.UNAUTHENTICATED);
    expect(journaled).toEqual([]);
  });

  it('Register binds the token to its agent id', async () => {
    const registered: string[] = [];
    const { client: c } = await start({ onRegister: (a) => void registered.push(a.agent_id) });
    await expect(
      c.unary('Register', { agent_id: 'agent-1', hostname: 'ws-01', os: 'windows' }),
    ).resolves.toMatchObject({
      accepted: true,
      heartbeat_interval_s: 60,
    });
    await expect(c.unary('Register', { agent_id: 'agent-2' })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    expect(registered).toEqual(['agent-1']);
    await expect(c.unary('Heartbeat', { agent_id: 'agent-1', timestamp: 5 })).resolves.toHaveProperty(
      'server_time',
    );
  });
});

describe('drift intake: ReportDriftOne', () => {
  it('journals a valid event (check type renamed) and acks after', async () => {
    const { client: c, journaled } = await start();
    const ack = await c.unary<Record<string, unknown>>('ReportDriftOne', event({ event_id: 'abc' }));
    expect(ack).toMatchObject({ seq: 1, event_id: 'abc', accepted: true, error_code: '' });
    expect(journaled).toHaveLength(1);
    expect(journaled[0]?.[0]).toMatchObject({
      check_type: 'windows_defender',
      agent_check_type: 'defender',
      agent_id: 'agent-1',
    });
  });

  it.each([
    ['bad severity', { severity: 'urgent' }],
    ['missing hostname', { hostname: '' }],
    ['bad check type', { check_type: 'Defender; DROP' }],
    ['zero timestamp', { timestamp: 0 }],
    [
      'too many metadata entries',
      { metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
    ],
    ['over-long actual', { actual: 'x'.repeat(4097) }],
  ])('%s → INVALID_ARGUMENT with a coded detail', async (_name, over) => {
    const { client: c, journaled } = await start();
    const err = await c.unary('ReportDriftOne', event(over)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect((err as { details: string }).details).toMatch(/^E_INTAKE_INVALID_EVENT: /);
    expect(journaled).toEqual([]);
  });

  it('another agent id → PERMISSION_DENIED', async () => {
    const { client: c } = await start();
    await expect(c.unary('ReportDriftOne', event({ agent_id: 'agent-2' }))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
  });

  it('an oversized message → RESOURCE_EXHAUSTED, and the server keeps serving', async () => {
    const { client: c } = await start();
    const big = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
    await expect(c.unary('ReportDriftOne', event({ metadata: big }))).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
    });
    await expect(c.unary('ReportDriftOne', event())).resolves.toMatchObject({ accepted: true });
  });

  it('a journal failure → UNAVAILABLE (no ack)', async () => {
    const { client: c } = await start({ onEvents: () => Promise.reject(new Error('disk full')) });
    await expect(c.unary('ReportDriftOne', event())).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});

describe('drift intake: ReportDrift stream', () => {
  it('1,000 events → 1,000 in-order acks, journaled in batches', async () => {
    const { client: c, journaled } = await start();
    const call = c.stream();
    const done = collect(call);
    for (let i = 1; i <= 1000; i++) call.write(event({ event_id: `e${i}` }));
    call.end();
    const { acks, error } = await done;
    expect(error).toBeUndefined();
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(acks.every((a, i) => a.accepted && a.event_id === `e${i + 1}`)).toBe(true);
    expect(journaled.flat()).toHaveLength(1000);
    expect(journaled.length).toBeLessThan(1000);
  });

  it('acks only after the journal resolves', async () => {
    let release: () => void = () => undefined;
    let called: () => void = () => undefined;
    const wasCalled = new Promise<void>((r) => (called = r));
    const { client: c } = await start({
      onEvents: () => {
        called();
        return new Promise<void>((r) => (release = r));
      },
    });
    const call = c.stream();
    const acks: unknown[] = [];
    call.on('data', (a: unknown) => acks.push(a));
    const done = collect(call);
    call.write(event());
    await wasCalled;
    await c.unary('Heartbeat', { agent_id: 'agent-1' }); // a round trip on the same connection
    expect(acks).toEqual([]);
    release();
    call.end();
    expect((await done).acks).toHaveLength(1);
  });

  it('nacks invalid and foreign events in place; acks may carry heal commands', async () => {
    const heal: HealCommand = {
      command_id: 'h1',
      action: 'restart_service:WinDefend',
      params: { force: '1' },
      timeout_s: 30,
    };
    const journaled: string[] = [];
    const { client: c } = await start({
      onEvents: (events) => {
        journaled.push(...events.map((e) => e.event_id));
        return Promise.resolve(events.map((e) => (e.passed ? undefined : heal)));
      },
    });
    const call = c.stream();
    const done = collect(call);
    call.write(event({ event_id: 'a', passed: true }));
    call.write(event({ event_id: 'b', severity: 'nope' }));
    call.write(event({ event_id: 'c', agent_id: 'agent-2' }));
    call.write(event({ event_id: 'd' }));
    call.end();
    const { acks } = await done;
    expect(acks.map((a) => [a.seq, a.event_id, a.accepted, a.error_code])).toEqual([
      [1, 'a', true, ''],
      [2, 'b', false, 'E_INTAKE_INVALID_EVENT'],
      [3, 'c', false, 'E_INTAKE_AGENT_MISMATCH'],
      [4, 'd', true, ''],
    ]);
    expect(acks[0]?.heal).toBeNull();
    expect(acks[3]?.heal).toEqual(heal);
    expect(journaled).toEqual(['a', 'd']);
  });

  it('a journal failure ends the stream with UNAVAILABLE and acks nothing of the batch', async () => {
    const { client: c } = await start({ onEvents: () => Promise.reject(new Error('disk full')) });
    const call = c.stream();
    const done = collect(call);
    call.write(event());
    const { acks, error } = await done;
    expect(acks).toEqual([]);
    expect(error?.code).toBe(status.UNAVAILABLE);
    call.end();
  });

  it('an oversized message on the stream → RESOURCE_EXHAUSTED', async () => {
    const { client: c } = await start();
    const call = c.stream();
    const done = collect(call);
    call.write(
      event({
        metadata: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'x'.repeat(4000)])),
      }),
    );
    expect((await done).error?.code).toBe(status.RESOURCE_EXHAUSTED);
    call.end();
  });
});
