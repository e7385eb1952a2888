// /static/evidence-verifier.js: the in-browser evidence verifier, bundled from TypeScript sources
// (portal/client/verify-entry.ts → sync/evidence/* + tweetnacl) with esbuild's JS API the first time it
// is needed, then served from memory. No build step on a fresh machine, and the page's CSP stays
// `script-src 'self'`: this is a same-origin file, not inline script.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type Koa from 'koa';

export const VERIFIER_PATH = '/static/evidence-verifier.js';
const ENTRY = join(import.meta.dirname, '../client/verify-entry.ts');

interface Built {
  readonly body: Buffer;
  readonly etag: string;
}

let pending: Promise<Built> | undefined;

async function bundle(): Promise<Built> {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const out = r.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output for the evidence verifier');
  const body = Buffer.from(out.contents);
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` };
}

/** The bundled verifier (built once per process; a failed build is retried on the next request). */
export function verifierBundle(): Promise<Built> {
  if (!pending) {
    pending = bundle();
    pending.catch(() => {
      pending = undefined;
    });
  }
  return pending;
}

export async function serveVerifier(ctx: Koa.Context): Promise<void> {
  const f = await verifierBundle();
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('ETag', f.etag);
  if (ctx.get('if-none-match') === f.etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = 'text/javascript; charset=utf-8';
  ctx.body = f.body;
}
