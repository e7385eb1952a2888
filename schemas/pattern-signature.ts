// The pattern signature of the original platform, kept exactly so statistics imported from old
// appliances line up (domain.md "Incidents and pattern statistics"). Host and site are not part of it.
import { createHash } from 'node:crypto';
import { pythonJsonDumps } from './python-json.ts';

export interface PatternSignatureInput {
  readonly incidentType: string | null | undefined;
  readonly checkType?: string | null | undefined;
  readonly driftType?: string | null | undefined;
  readonly serviceName?: string | null | undefined;
  /** The raw error message; absent or null counts as "" (the field then stays, as in the original). */
  readonly errorMessage?: string | null | undefined;
}

// The original ran Python `re` on str: `\d` is any Unicode decimal digit (category Nd), hence \p{Nd}.
const D = '\\p{Nd}';
const TIMESTAMP = new RegExp(`${D}{4}-${D}{2}-${D}{2}[T ]${D}{2}:${D}{2}:${D}{2}`, 'gu');
const IPV4 = new RegExp(`${D}{1,3}\\.${D}{1,3}\\.${D}{1,3}\\.${D}{1,3}`, 'gu');
const UUID = /[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}/gu;
const HASH_SEGMENT = /\/[a-z0-9]{32}\//gu;

/**
 * The error message with its variable parts replaced, in the original's order: timestamps, IPv4,
 * lowercase UUIDs, 32-character `[a-z0-9]` path segments; then cut to 200 code points (Python slices
 * code points, not UTF-16 units).
 */
export function normalizeErrorMessage(message: string | null | undefined): string {
  if (!message) return '';
  const scrubbed = message
    .replace(TIMESTAMP, '<TIMESTAMP>')
    .replace(IPV4, '<IP>')
    .replace(UUID, '<UUID>')
    .replace(HASH_SEGMENT, '/<HASH>/');
  return Array.from(scrubbed).slice(0, 200).join('');
}

/** The canonical text that is hashed: Python `json.dumps(fields, sort_keys=True)` without null fields. */
export function patternSignatureText(input: PatternSignatureInput): string {
  const fields: Record<string, string> = { error_pattern: normalizeErrorMessage(input.errorMessage) };
  const optional: [string, string | null | undefined][] = [
    ['type', input.incidentType],
    ['check_type', input.checkType],
    ['drift_type', input.driftType],
    ['service_name', input.serviceName],
  ];
  for (const [key, value] of optional) if (value !== null && value !== undefined) fields[key] = value;
  return pythonJsonDumps(fields);
}

/** First 16 hex chars of SHA-256 over the canonical text (UTF-8, which is ASCII after escaping). */
export function patternSignature(input: PatternSignatureInput): string {
  return createHash('sha256').update(patternSignatureText(input), 'utf8').digest('hex').slice(0, 16);
}
