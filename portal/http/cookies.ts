// Cookie handling written out by hand, so `Secure` can be set behind a TLS-terminating proxy without
// Koa refusing to send it over the proxy's plain-HTTP hop.

export interface CookieOptions {
  readonly secure: boolean;
  readonly maxAgeSeconds?: number;
}

/** Session cookie name; `__Host-` pins it to this origin and path when served over HTTPS. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-osiris_session' : 'osiris_session';
}

export function loginCsrfCookieName(secure: boolean): string {
  return secure ? '__Host-osiris_login' : 'osiris_login';
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure when configured. */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    if (out.has(k)) continue; // first wins, as browsers send the most specific first
    try {
      out.set(k, decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      // malformed escape: ignore the cookie
    }
  }
  return out;
}
