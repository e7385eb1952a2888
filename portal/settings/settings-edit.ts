// Applies a settings form: three-way per field against the heads the form was rendered from, writes
// the non-conflicting fields through the cloud's document, and reports conflicts with their writers.
import * as A from '@automerge/automerge';
import {
  type SiteSettings,
  applySettingsPatch,
  checkSettingsPatch,
  toPlain,
  validateDocument,
} from '../../schemas/index.ts';
import { OsirisError } from '../../schemas/errors.ts';
import type { CloudSync } from '../../cloud/sync/cloud-sync.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { awaitProjection } from '../data/await-projection.ts';
import type { Form } from '../http/form.ts';
import { portalErrors } from '../portal-errors.ts';
import { type Writer, fieldWriters } from './field-writers.ts';
import { type Conflict, fieldsFromForm, fieldsOf, patchOf, planEdit } from './settings-fields.ts';

export interface EditResult {
  readonly applied: readonly string[];
  readonly conflicts: readonly (Conflict & { readonly writer: Writer | undefined })[];
  /** The settings and heads after the edit, for re-rendering the form. */
  readonly settings: SiteSettings;
  readonly heads: readonly string[];
}

const HEAD = /^[0-9a-f]{64}$/;

export function parseHeads(text: string): string[] {
  const heads = text.split(',').filter(Boolean);
  if (heads.length === 0 || heads.length > 64 || !heads.every((h) => HEAD.test(h)))
    throw new OsirisError(portalErrors.E_PORTAL_INPUT, 'the form does not say which version it edits');
  return heads;
}

function settingsOf(doc: unknown): SiteSettings {
  const r = validateDocument('site_settings', toPlain(doc));
  if (!r.ok) throw r.error;
  return r.value as SiteSettings;
}

export async function currentSettings(
  sync: CloudSync,
  siteId: string,
): Promise<{ doc: A.Doc<unknown>; settings: SiteSettings; heads: string[] }> {
  const h = await sync.handle<unknown>(deriveDocId({ siteId }, 'site_settings'));
  await h.whenReady();
  const doc = h.doc() as A.Doc<unknown>;
  return { doc, settings: settingsOf(doc), heads: A.getHeads(doc) };
}

/** Edits one site's settings from a submitted form as `actor`. */
export async function editSettings(
  sync: CloudSync,
  siteId: string,
  actor: string,
  form: Form,
  now = Date.now(),
  sql?: SqlClient,
): Promise<EditResult> {
  const since = parseHeads(form.get('heads') ?? '');
  const { doc, settings } = await currentSettings(sync, siteId);
  let base: SiteSettings;
  try {
    base = settingsOf(A.view(doc, since));
  } catch {
    throw new OsirisError(portalErrors.E_PORTAL_INPUT, 'the form refers to a version this site never had');
  }
  const plan = planEdit(fieldsFromForm(form, now), fieldsOf(base), fieldsOf(settings));
  const writers = plan.conflicts.length ? fieldWriters(doc, since) : new Map<string, Writer>();
  if (plan.apply.size > 0) {
    const patch = checkSettingsPatch(settings, patchOf(plan.apply));
    const heads = await sync.editSiteDoc<SiteSettings>(siteId, 'site_settings', actor, 'settings.edit', (d) =>
      applySettingsPatch(d, patch),
    );
    if (sql) await awaitProjection(sql, sync, siteId, 'site_settings', heads);
  }
  const after = await currentSettings(sync, siteId);
  return {
    applied: [...plan.apply.keys()],
    conflicts: plan.conflicts.map((c) => ({ ...c, writer: writers.get(c.key) })),
    settings: after.settings,
    heads: after.heads,
  };
}
