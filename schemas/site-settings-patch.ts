// Edits to SiteSettings. Policies that span keys (critical checks, "at least one check enabled") are
// enforced here, on the write, against the current document: a merge can still combine two valid
// edits into a state neither writer produced, so readers also read safely (site-settings.ts).
import { z } from 'zod';
import * as A from '@automerge/automerge';
import { OsirisError } from './errors.ts';
import { FRAMEWORK_IDS, INDUSTRIES } from './frameworks.ts';
import { describeIssues, mapKey, text } from './primitives.ts';
import { schemaErrors } from './schema-errors.ts';
import {
  CLIENT_ALERT_MODES,
  HEALING_TIERS,
  type SiteSettings,
  checkSettingSchema,
  contactSchema,
  maintenanceWindowSchema,
} from './site-settings.ts';
import { KNOWN_CHECKS, isCriticalCheck } from './check-types.ts';

/** A partial edit; `null` removes (maintenance window, contact, check override). */
export const siteSettingsPatchSchema = z.strictObject({
  clinic_name: text(0, 200).optional(),
  industry: z.enum(INDUSTRIES).optional(),
  healing_tier: z.enum(HEALING_TIERS).optional(),
  client_alert_mode: z.enum(CLIENT_ALERT_MODES).optional(),
  notes: text(0, 10_000).optional(),
  /** true enables, false disables a framework. */
  enabled_frameworks: z.partialRecord(z.enum(FRAMEWORK_IDS), z.boolean()).optional(),
  checks: z.record(mapKey, checkSettingSchema.nullable()).optional(),
  maintenance: maintenanceWindowSchema.nullable().optional(),
  contacts: z.record(mapKey, contactSchema.nullable()).optional(),
});
export type SiteSettingsPatch = z.infer<typeof siteSettingsPatchSchema>;

function invalid(message: string, detail?: Record<string, unknown>): OsirisError {
  return new OsirisError(schemaErrors.E_SETTINGS_PATCH_INVALID, message, detail);
}

/**
 * Validates an edit against the current settings: shape, critical checks (only not applicable, with
 * a reason) and at least one enabled check afterwards. Returns the typed patch or throws
 * E_SETTINGS_PATCH_INVALID.
 */
export function checkSettingsPatch(current: SiteSettings, input: unknown): SiteSettingsPatch {
  const parsed = siteSettingsPatchSchema.safeParse(input);
  if (!parsed.success)
    throw invalid('settings patch is malformed', { issues: describeIssues(parsed.error.issues) });
  const patch = parsed.data;
  for (const [check, setting] of Object.entries(patch.checks ?? {})) {
    if (!isCriticalCheck(check)) continue;
    const off = setting !== null && !setting.enabled;
    if (off && setting.not_applicable_reason === undefined) {
      throw invalid(`${check} is a critical check: it can only be marked not applicable, with a reason`);
    }
  }
  const after = { ...current.checks };
  for (const [check, setting] of Object.entries(patch.checks ?? {})) {
    if (setting === null) delete after[check];
    else after[check] = setting;
  }
  const universe = new Set([...KNOWN_CHECKS, ...Object.keys(after)]);
  const anyOn = [...universe].some((c) => {
    const e = after[c];
    return e === undefined || (e.enabled && e.not_applicable_reason === undefined);
  });
  if (!anyOn) throw invalid('at least one check must stay enabled');
  return patch;
}

/** A patch entry without `undefined` values (Automerge rejects them). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Applies a checked patch inside an Automerge change, key by key, so concurrent edits of other fields merge. */
export function applySettingsPatch(draft: SiteSettings, patch: SiteSettingsPatch): void {
  if (patch.clinic_name !== undefined) draft.clinic_name = patch.clinic_name;
  if (patch.industry !== undefined) draft.industry = patch.industry;
  if (patch.healing_tier !== undefined) draft.healing_tier = patch.healing_tier;
  if (patch.client_alert_mode !== undefined) draft.client_alert_mode = patch.client_alert_mode;
  if (patch.notes !== undefined) {
    // updateText edits characters, so a concurrent edit elsewhere in the notes survives.
    if (typeof draft.notes === 'string' && isDraft(draft)) {
      A.updateText(draft, ['notes'], patch.notes);
    } else draft.notes = patch.notes;
  }
  for (const [id, on] of Object.entries(patch.enabled_frameworks ?? {})) {
    if (on) draft.enabled_frameworks[id] = true;
    else delete draft.enabled_frameworks[id];
  }
  for (const [check, setting] of Object.entries(patch.checks ?? {})) {
    const entry = draft.checks[check];
    if (setting === null) delete draft.checks[check];
    else if (entry === undefined) draft.checks[check] = defined(setting);
    else {
      entry.enabled = setting.enabled;
      if (setting.not_applicable_reason === undefined) delete entry.not_applicable_reason;
      else entry.not_applicable_reason = setting.not_applicable_reason;
    }
  }
  if (patch.maintenance === null) delete draft.maintenance;
  else if (patch.maintenance !== undefined) draft.maintenance = defined(patch.maintenance);
  for (const [id, contact] of Object.entries(patch.contacts ?? {})) {
    if (contact === null) delete draft.contacts[id];
    else draft.contacts[id] = defined(contact);
  }
}

function isDraft(value: object): boolean {
  try {
    return typeof A.getObjectId(value) === 'string';
  } catch {
    return false;
  }
}
