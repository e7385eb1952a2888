// SiteSettings: one per site, written by partners (through the cloud) and local admins (through the
// appliance). Every editable field is its own key so concurrent edits to different fields merge.
import { z } from 'zod';
import { CRITICAL_CHECKS, KNOWN_CHECKS, isCriticalCheck } from './check-types.ts';
import { docHeader, epochMs, mapKey, siteId, text } from './primitives.ts';

export const HEALING_TIERS = ['standard', 'full_coverage'] as const;
export type HealingTier = (typeof HEALING_TIERS)[number];
export const CLIENT_ALERT_MODES = ['self_service', 'informed', 'silent'] as const;
export type ClientAlertMode = (typeof CLIENT_ALERT_MODES)[number];

/** One check's setting. Absent from the map means enabled (new checks run by default). */
export const checkSettingSchema = z.looseObject({
  enabled: z.boolean(),
  /** Set when the check does not apply to this site; the only way to switch off a critical check. */
  not_applicable_reason: text(5, 500).optional(),
});
export type CheckSetting = z.infer<typeof checkSettingSchema>;

/** Healing pauses during a window; written as one object so concurrent windows never mix fields. */
export const maintenanceWindowSchema = z.looseObject({
  starts_at: epochMs,
  duration_hours: z.number().min(0.5).max(48),
  reason: text(3, 500),
  set_by: text(1, 200).optional(),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export const contactSchema = z.looseObject({
  name: text(1, 200),
  role: text(0, 100).optional(),
  email: z
    .string()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/)
    .optional(),
  phone: text(0, 50).optional(),
});
export type Contact = z.infer<typeof contactSchema>;

export const siteSettingsSchema = z.looseObject({
  ...docHeader('site_settings'),
  siteId,
  clinic_name: text(0, 200),
  /** Opaque: an industry this reader does not know only changes which preset it would offer. */
  industry: z.string().max(64),
  healing_tier: z.enum(HEALING_TIERS),
  client_alert_mode: z.enum(CLIENT_ALERT_MODES),
  /** A set: id → true. Unknown framework ids are kept. */
  enabled_frameworks: z.record(mapKey, z.literal(true)),
  checks: z.record(mapKey, checkSettingSchema),
  maintenance: maintenanceWindowSchema.optional(),
  contacts: z.record(mapKey, contactSchema),
  notes: text(0, 10_000),
});
export type SiteSettings = z.infer<typeof siteSettingsSchema>;

/** Safe defaults a reader falls back to when a newer writer stored a value it does not know. */
export const SITE_SETTINGS_FALLBACKS = {
  healing_tier: 'standard',
  client_alert_mode: 'informed',
} as const satisfies Partial<SiteSettings>;

function readsEnabled(settings: SiteSettings, checkType: string): boolean {
  const entry = settings.checks[checkType];
  // A critical check runs unless it is explicitly not applicable: a merge of two edits can leave
  // `enabled: false` without a reason, and that must not switch the check off.
  if (isCriticalCheck(checkType)) return entry?.not_applicable_reason === undefined;
  if (entry === undefined) return true;
  return entry.enabled && entry.not_applicable_reason === undefined;
}

/**
 * The checks that run on this site (known checks plus any listed in the map). Never empty: if merged
 * edits disabled everything, the critical checks run.
 */
export function enabledChecks(settings: SiteSettings, known: readonly string[] = KNOWN_CHECKS): string[] {
  const all = [...new Set([...known, ...Object.keys(settings.checks)])].sort();
  const on = all.filter((c) => readsEnabled(settings, c));
  return on.length > 0 ? on : [...CRITICAL_CHECKS];
}

/** Whether one check runs on this site (see enabledChecks). */
export function isCheckEnabled(settings: SiteSettings, checkType: string): boolean {
  return enabledChecks(settings, [...KNOWN_CHECKS, checkType]).includes(checkType);
}

/** Whether healing is paused by the maintenance window at `now` (epoch ms). */
export function isInMaintenance(settings: SiteSettings, now: number): boolean {
  const w = settings.maintenance;
  if (w === undefined) return false;
  return now >= w.starts_at && now < w.starts_at + w.duration_hours * 3_600_000;
}
