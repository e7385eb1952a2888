import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { silentLogger } from '../../sync/log.ts';
import { checkDriftEvent } from './drift-event.ts';
import { type DecodedRequest, loadServerDriftService, MALFORMED } from './drift-proto.ts';
import { codedStatus, statusError } from './grpc-status.ts';
import type { IntakeOptions, WireAck } from './intake-types.ts';
import { eventIdOf, serveReportStream } from './report-stream.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 256) : '');

const unauthenticated = () =>
  statusError(
    codedStatus(status.UNAUTHENTICATED, 'E_INTAKE_UNAUTHENTICATED', 'missing or unknown agent token'),
  );
const malformed = () =>
  statusError(codedStatus(status.INVALID_ARGUMENT, 'E_INTAKE_MALFORMED', 'message could not be decoded'));

/**
 * Builds (does not start) the gRPC server for osiris.compliance.v1.ComplianceAgent. Every handler
 * authenticates first and catches its own failures: bad input never reaches past a status.
 */
export function createIntakeServer(options: IntakeOptions): Server {
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const max = options.maxMessageBytes ?? 64 * 1024;
  const server = new Server({ 'grpc.max_receive_message_length': max });

  type Unary<Res> = (call: ServerUnaryCall<DecodedRequest, Res>, cb: sendUnaryData<Res>) => void;
  const guarded =
    <Res>(name: string, fn: (agentId: string, req: Record<string, unknown>) => Promise<Res>): Unary<Res> =>
    (call, cb) => {
      const agentId = options.authenticate(call.metadata);
      if (agentId === undefined) return cb(unauthenticated());
      const req = call.request;
      if (req === MALFORMED) return cb(malformed());
      // then(): a handler that throws synchronously still ends as a status, never as a crash.
      Promise.resolve()
        .then(() => fn(agentId, req))
        .then(
          (res) => cb(null, res),
          (e: unknown) => {
            if (e instanceof Error && 'code' in e && typeof e.code === 'number')
              return cb(e as Error & { code: number });
            log.error({ method: name, agentId, err: (e as Error).message }, 'intake handler failed');
            cb(statusError(codedStatus(status.INTERNAL, 'E_INTERNAL', 'internal error')));
          },
        );
    };

  const implementation: UntypedServiceImplementation = {
    Register: guarded('Register', async (agentId, req) => {
      if (str(req.agent_id) !== agentId)
        throw statusError(
          codedStatus(
            status.PERMISSION_DENIED,
            'E_INTAKE_AGENT_MISMATCH',
            'agent_id does not match the token',
          ),
        );
      await options.onRegister?.({
        agent_id: agentId,
        hostname: str(req.hostname),
        os: str(req.os),
        agent_version: str(req.agent_version),
      });
      return { accepted: true, server_time: now(), heartbeat_interval_s: options.heartbeatIntervalS ?? 60 };
    }),
    Heartbeat: guarded('Heartbeat', (agentId, req) => {
      options.onHeartbeat?.(agentId, typeof req.timestamp === 'number' ? req.timestamp : 0);
      return Promise.resolve({ server_time: now() });
    }),
    ReportDriftOne: guarded('ReportDriftOne', async (agentId, req): Promise<WireAck> => {
      const check = checkDriftEvent(req, agentId, now());
      if (!check.ok) {
        const code =
          check.code === 'E_INTAKE_AGENT_MISMATCH' ? status.PERMISSION_DENIED : status.INVALID_ARGUMENT;
        throw statusError(codedStatus(code, check.code, check.message));
      }
      let heals: readonly unknown[];
      try {
        heals = (await options.onEvents([check.event])) ?? [];
      } catch (e) {
        log.error({ agentId, err: (e as Error).message }, 'journal failed');
        throw statusError(
          codedStatus(status.UNAVAILABLE, 'E_INTAKE_JOURNAL_FAILED', 'event was not journaled; resend'),
        );
      }
      const heal = heals[0] as WireAck['heal'] | undefined;
      return {
        seq: 1,
        event_id: eventIdOf(req),
        accepted: true,
        error_code: '',
        error: '',
        ...(heal ? { heal } : {}),
      };
    }),
    ReportDrift: (call: ServerDuplexStream<DecodedRequest, WireAck>) => {
      const agentId = options.authenticate(call.metadata);
      if (agentId === undefined) {
        call.emit('error', unauthenticated());
        return;
      }
      serveReportStream(call, agentId, options);
    },
  };
  server.addService(loadServerDriftService(), implementation);
  return server;
}

/**
 * Binds and starts the server; returns the bound port. Credentials default to insecure (loopback,
 * tests); production passes ServerCredentials.createSsl(ca, [{private_key, cert_chain}], true) for
 * mTLS, which docs/appliance.md describes.
 */
export function listenIntake(
  server: Server,
  address = '127.0.0.1:0',
  credentials: ServerCredentials = ServerCredentials.createInsecure(),
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** Graceful shutdown, forced after graceMs. */
export function closeIntake(server: Server, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
