import type Koa from 'koa';
import { z } from 'zod';
import { OsirisError, commonErrors } from '../../schemas/errors.ts';
import { toHex } from '../../sync/evidence/bytes.ts';
import { readJson } from '../api/json-body.ts';
import type { EvidenceLog } from './evidence-log.ts';

const uploadSchema = z.object({
  appliance_id: z.string().min(1).max(128),
  bundles: z
    .array(z.object({ body: z.string().max(400_000), signature: z.string().max(100) }))
    .min(1)
    .max(1000),
  auth: z.string().max(100),
});

function intParam(v: unknown, name: string): number {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n))
    throw new OsirisError(commonErrors.E_INVALID_INPUT, `${name} must be an integer`);
  return n;
}

/**
 * Evidence HTTP API. Uploads are authenticated by the appliance's signature over the batch (a signed
 * bundle is its own credential; the upload signature binds who submits it). Reads serve what a
 * transparency log publishes anyway: chain heads, checkpoints and proofs (hashes, no content).
 */
export function mountEvidence(log: EvidenceLog): (app: Koa) => void {
  return (app) =>
    app.use(async (ctx, next) => {
      if (!ctx.path.startsWith('/api/evidence/')) return next();
      const route = `${ctx.method} ${ctx.path}`;
      switch (route) {
        case 'POST /api/evidence/bundles': {
          const body = await readJson(ctx, uploadSchema, 8 * 1024 * 1024);
          const r = await log.submit(body);
          ctx.status = r.results.some((x) => x.status === 'rejected') ? 409 : 200;
          ctx.body = r;
          return;
        }
        case 'GET /api/evidence/head': {
          const id = ctx.query.appliance;
          if (typeof id !== 'string' || !id || id.length > 128)
            throw new OsirisError(commonErrors.E_INVALID_INPUT, 'appliance is required');
          ctx.body = await log.head(id);
          return;
        }
        case 'GET /api/evidence/checkpoint': {
          ctx.type = 'text/plain; charset=utf-8';
          ctx.body = (await log.checkpoint()).note;
          return;
        }
        case 'GET /api/evidence/log-key': {
          ctx.type = 'text/plain; charset=utf-8';
          ctx.body = `${log.verifierKey}\n`;
          return;
        }
        case 'GET /api/evidence/proof/inclusion': {
          const index = intParam(ctx.query.index, 'index');
          const size = intParam(ctx.query.size, 'size');
          ctx.body = { index, size, proof: (await log.inclusionProof(index, size)).map(toHex) };
          return;
        }
        case 'GET /api/evidence/proof/consistency': {
          const from = intParam(ctx.query.from, 'from');
          const to = intParam(ctx.query.to, 'to');
          ctx.body = { from, to, proof: (await log.consistencyProof(from, to)).map(toHex) };
          return;
        }
        default:
          throw new OsirisError(commonErrors.E_NOT_FOUND);
      }
    });
}
