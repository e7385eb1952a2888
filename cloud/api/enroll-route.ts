import type Koa from 'koa';
import { OsirisError } from '../../schemas/errors.ts';
import { applianceDocIds, siteDocIds } from '../../sync/doc-ids.ts';
import { type EnrollResponse, enrollRequestSchema, enrollmentProofMessage } from '../../sync/enrollment.ts';
import { registryErrors } from '../registry/registry-errors.ts';
import type { Registry } from '../registry/registry.ts';
import { readJson } from './json-body.ts';

export type VerifySignature = (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;

/** POST /api/enroll: binds the caller's Ed25519 key to the token's site; the caller proves key possession. */
export function mountEnroll(registry: Registry, verify: VerifySignature): (app: Koa) => void {
  return (app) => {
    app.use(async (ctx, next) => {
      if (ctx.path !== '/api/enroll' || ctx.method !== 'POST') return next();
      const body = await readJson(ctx, enrollRequestSchema, 4096);
      const publicKey = new Uint8Array(Buffer.from(body.publicKey, 'base64'));
      const proof = new Uint8Array(Buffer.from(body.proof, 'base64'));
      if (publicKey.length !== 32) throw new OsirisError(registryErrors.E_BAD_PUBLIC_KEY);
      if (!verify(enrollmentProofMessage(body.token, publicKey), proof, publicKey))
        throw new OsirisError(registryErrors.E_ENROLL_PROOF);
      const { applianceId, siteId } = await registry.enroll(body.token, publicKey);
      const site = siteDocIds(siteId);
      const own = applianceDocIds(siteId, applianceId, Date.now());
      const res: EnrollResponse = {
        applianceId,
        siteId,
        documents: {
          settings: site.settings,
          rules: site.rules,
          exceptions: site.exceptions,
          stats: own.stats,
        },
      };
      ctx.status = 201;
      ctx.body = res;
    });
  };
}
