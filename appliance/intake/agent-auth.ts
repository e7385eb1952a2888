import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

/** Resolves the agent a call's metadata authenticates, or undefined. */
export type AgentAuthenticator = (metadata: Metadata) => string | undefined;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Bearer-token authentication: `authorization: Bearer <token>` against a configured
 * agent id → token map. Tokens are compared as SHA-256 digests with timingSafeEqual, and every
 * configured token is compared (no early exit), so timing reveals neither a token's prefix nor
 * which agent matched. Tokens shorter than 16 characters are refused at configuration time.
 */
export function bearerTokenAuthenticator(tokens: ReadonlyMap<string, string>): AgentAuthenticator {
  const table = [...tokens].map(([agentId, token]) => {
    if (token.length < 16) throw new Error(`agent ${agentId}: token shorter than 16 characters`);
    return { agentId, hash: digest(token) };
  });
  return (metadata) => {
    const values = metadata.get('authorization');
    if (values.length !== 1 || typeof values[0] !== 'string') return undefined;
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(values[0]);
    if (!m?.[1]) return undefined;
    const presented = digest(m[1]);
    let found: string | undefined;
    for (const entry of table)
      if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.agentId;
    return found;
  };
}
