import type { Context } from 'koa';
import { OsirisError } from '../../schemas/errors.ts';
import { adminErrors } from './admin-errors.ts';

/** Reads a JSON body of at most `limit` bytes; bad input is a coded 4xx, never a crash. */
export async function readJsonBody(ctx: Context, limit = 64 * 1024): Promise<unknown> {
  if (!ctx.get('content-type').toLowerCase().startsWith('application/json'))
    throw new OsirisError(adminErrors.E_ADMIN_UNSUPPORTED_MEDIA);
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw new OsirisError(adminErrors.E_ADMIN_BODY_TOO_LARGE);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new OsirisError(adminErrors.E_ADMIN_BODY_TOO_LARGE);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new OsirisError(adminErrors.E_ADMIN_BAD_JSON);
  }
}
