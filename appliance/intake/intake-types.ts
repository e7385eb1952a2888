import type { Logger } from '../../sync/log.ts';
import type { AgentAuthenticator } from './agent-auth.ts';
import type { DriftEvent } from './drift-event.ts';

/** A heal command an ack may carry back to the agent. */
export interface HealCommand {
  readonly command_id: string;
  readonly action: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly timeout_s?: number;
}

/** A Register call, authenticated. */
export interface AgentRegistration {
  readonly agent_id: string;
  readonly hostname: string;
  readonly os: string;
  readonly agent_version: string;
}

/** Configuration of the intake service. */
export interface IntakeOptions {
  readonly authenticate: AgentAuthenticator;
  /**
   * Journals a batch durably; acks are sent only after it resolves. May return one heal command
   * (or undefined) per event, aligned by index. A rejection is answered with UNAVAILABLE and no
   * ack for the batch, so the agent resends (the journal should drop duplicate event_ids).
   */
  readonly onEvents: (events: readonly DriftEvent[]) => Promise<readonly (HealCommand | undefined)[] | void>;
  readonly onRegister?: (agent: AgentRegistration) => Promise<void> | void;
  readonly onHeartbeat?: (agentId: string, agentTime: number) => void;
  readonly logger?: Logger;
  /** Largest accepted message, bytes [64 KiB]; larger ones get RESOURCE_EXHAUSTED. */
  readonly maxMessageBytes?: number;
  /** Events handed to onEvents at once [256]. */
  readonly maxBatch?: number;
  /** Unacked events per stream before reading pauses [1024]. */
  readonly maxPending?: number;
  /** Told to agents at Register [60]. */
  readonly heartbeatIntervalS?: number;
  readonly now?: () => number;
}

/** DriftAck as written to the wire. */
export interface WireAck {
  readonly seq: number;
  readonly event_id: string;
  readonly accepted: boolean;
  readonly error_code: string;
  readonly error: string;
  readonly heal?: HealCommand;
}
