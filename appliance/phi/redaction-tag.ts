import { createHmac } from 'node:crypto';
import type { PhiCategory } from './phi-categories.ts';

/**
 * Redaction tags: `[<CATEGORY>-REDACTED-<8 hex>]`. The hex is the first 32 bits of
 * HMAC-SHA256(per-appliance key, normalised value): equal values give equal tags on one appliance,
 * so incidents stay correlatable, while without the key a tag cannot be brute-forced back to, say,
 * one of the 10^9 SSNs (a plain hash could). Tags are never matched again (see scrub-text.ts).
 */
export const TAG_PATTERN = /\[[A-Z0-9]+(?:-[A-Z0-9]+)*-REDACTED-[0-9a-f]{8}\]/g;

/** True when the whole string is one redaction tag. */
export function isTag(s: string): boolean {
  return /^\[[A-Z0-9]+(?:-[A-Z0-9]+)*-REDACTED-[0-9a-f]{8}\]$/.test(s);
}

const DIGITS_ONLY = new Set<PhiCategory>(['SSN', 'PHONE', 'CREDIT-CARD', 'ZIP4', 'ACCOUNT']);
const LOWER = new Set<PhiCategory>(['EMAIL', 'PATIENT-HOST', 'PHI-PATH']);

/** Normalises a match so different spellings of one value share a tag (`123-45-6789` = `123 45 6789`). */
export function normalise(category: PhiCategory, value: string): string {
  if (DIGITS_ONLY.has(category)) {
    const digits = value.replace(/\D/g, '');
    return digits === '' ? value : digits;
  }
  if (LOWER.has(category)) return value.trim().toLowerCase();
  return value.replace(/[\s-]/g, '').toUpperCase();
}

/** Builds the tagger for one appliance key. */
export function createTagger(key: Uint8Array): (category: PhiCategory, value: string) => string {
  return (category, value) => {
    const mac = createHmac('sha256', key).update(normalise(category, value), 'utf8').digest('hex');
    return `[${category}-REDACTED-${mac.slice(0, 8)}]`;
  };
}
