import { fileURLToPath } from 'node:url';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

/** The .proto, shared with agents: schemas/proto/drift.proto. */
export const DRIFT_PROTO_PATH = fileURLToPath(new URL('../../schemas/proto/drift.proto', import.meta.url));

/** Fully qualified service name. */
export const SERVICE_NAME = 'osiris.compliance.v1.ComplianceAgent';

/** Stands in for a request that could not be decoded, so the handler answers INVALID_ARGUMENT. */
export const MALFORMED: unique symbol = Symbol('malformed request');

/** A decoded request: a plain object, or MALFORMED. */
export type DecodedRequest = Record<string, unknown> | typeof MALFORMED;

/** proto-loader options: snake_case kept, int64 as Number, defaults filled (so validation sees every field). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Loads the service definition as-is (clients use this). */
export function loadDriftService(): ServiceDefinition {
  const pkg = protoLoader.loadSync(DRIFT_PROTO_PATH, LOADER_OPTIONS);
  const service = pkg[SERVICE_NAME];
  if (!service || !('Register' in service))
    throw new Error(`${SERVICE_NAME} missing from ${DRIFT_PROTO_PATH}`);
  return service as unknown as ServiceDefinition;
}

/**
 * The service definition for the server: every request deserializer is wrapped so garbage bytes
 * become MALFORMED instead of grpc-js's INTERNAL status.
 */
export function loadServerDriftService(): ServiceDefinition {
  const service = loadDriftService();
  const safe: Record<string, MethodDefinition<DecodedRequest, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    const decode = method.requestDeserialize;
    safe[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): DecodedRequest => {
        try {
          const value: unknown = decode(bytes);
          return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : MALFORMED;
        } catch {
          return MALFORMED;
        }
      },
    };
  }
  return safe;
}
