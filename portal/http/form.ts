// Reads application/x-www-form-urlencoded bodies with a size limit (no body-parser dependency).
import type { IncomingMessage } from 'node:http';
import { OsirisError } from '../../schemas/errors.ts';
import { portalErrors } from '../portal-errors.ts';

export const MAX_FORM_BYTES = 64 * 1024;

export type Form = URLSearchParams;

export async function readForm(req: IncomingMessage, limit = MAX_FORM_BYTES): Promise<Form> {
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new OsirisError(portalErrors.E_PORTAL_BODY_TOO_LARGE);
    chunks.push(chunk);
  }
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A trimmed string field, or '' when absent. */
export function field(form: Form, name: string): string {
  return (form.get(name) ?? '').trim();
}
