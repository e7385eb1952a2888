/** Drift intake (gRPC) public API. */
export { createIntakeServer, listenIntake, closeIntake } from './intake-server.ts';
export { bearerTokenAuthenticator, type AgentAuthenticator } from './agent-auth.ts';
export {
  checkDriftEvent,
  driftEventWire,
  EVENT_LIMITS,
  type DriftEvent,
  type EventCheck,
} from './drift-event.ts';
export { applianceCheckType, CHECK_TYPE_RENAMES } from './check-type-renames.ts';
export { DRIFT_PROTO_PATH, SERVICE_NAME, loadDriftService } from './drift-proto.ts';
export type { AgentRegistration, HealCommand, IntakeOptions, WireAck } from './intake-types.ts';
export { intakeErrors } from './intake-errors.ts';
