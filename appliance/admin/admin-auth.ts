import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether an Authorization header carries the admin token. Both sides are hashed first, so the
 * comparison is constant-time whatever the lengths, and timing reveals no prefix of the token.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
  const presented = digest(m?.[1] ?? '');
  return timingSafeEqual(presented, digest(token)) && m !== null;
}
