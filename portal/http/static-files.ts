// The portal's two static files (stylesheet and client script), read once and served from memory.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Koa from 'koa';
import { VERIFIER_PATH, serveVerifier } from './verifier-bundle.ts';

const DIR = join(import.meta.dirname, '../public');
const TYPES: Readonly<Record<string, string>> = {
  'portal.css': 'text/css; charset=utf-8',
  'portal.js': 'text/javascript; charset=utf-8',
};

const files = new Map<string, { body: Buffer; type: string; etag: string }>();
for (const [name, type] of Object.entries(TYPES)) {
  const body = readFileSync(join(DIR, name));
  files.set(`/static/${name}`, {
    body,
    type,
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
  });
}

export async function serveStatic(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  if (ctx.path === VERIFIER_PATH && (ctx.method === 'GET' || ctx.method === 'HEAD'))
    return serveVerifier(ctx);
  const f = files.get(ctx.path);
  if (!f || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('ETag', f.etag);
  if (ctx.get('if-none-match') === f.etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = f.type;
  ctx.body = f.body;
}
