import type { Context } from 'koa';
import type { z } from 'zod';
import { OsirisError, commonErrors } from '../../schemas/errors.ts';
import { cloudErrors } from '../cloud-errors.ts';

/** Reads a JSON body of at most `limit` bytes and validates it; bad input is a coded 4xx, never a crash. */
export async function readJson<T>(ctx: Context, schema: z.ZodType<T>, limit = 64 * 1024): Promise<T> {
  const type = ctx.get('content-type');
  if (!type.startsWith('application/json')) throw new OsirisError(cloudErrors.E_UNSUPPORTED_MEDIA);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new OsirisError(cloudErrors.E_BODY_TOO_LARGE);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new OsirisError(cloudErrors.E_BAD_JSON);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new OsirisError(
      commonErrors.E_INVALID_INPUT,
      `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
