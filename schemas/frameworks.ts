// Compliance frameworks and industry presets (domain.md "Site settings").

/** Framework ids a site can enable; readers keep unknown ids from newer writers as opaque keys. */
export const FRAMEWORK_IDS = [
  'hipaa',
  'soc2',
  'pci_dss',
  'nist_csf',
  'nist_800_171',
  'sox',
  'gdpr',
  'cmmc',
  'iso_27001',
  'cis',
  'glba',
] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

export const INDUSTRIES = [
  'healthcare',
  'finance',
  'technology',
  'retail',
  'government',
  'defense',
  'legal',
  'education',
  'manufacturing',
  'general',
] as const;
export type Industry = (typeof INDUSTRIES)[number];

const PRESETS: Readonly<Record<Industry, readonly FrameworkId[]>> = {
  healthcare: ['hipaa', 'nist_csf'],
  finance: ['sox', 'pci_dss', 'nist_csf'],
  technology: ['soc2', 'nist_csf'],
  retail: ['pci_dss', 'nist_csf'],
  government: ['nist_800_171', 'nist_csf'],
  defense: ['cmmc', 'nist_800_171'],
  legal: ['nist_csf', 'gdpr'],
  education: ['nist_csf'],
  manufacturing: ['nist_csf', 'iso_27001'],
  general: ['nist_csf', 'cis'],
};

/** True for the framework ids this reader knows. */
export function isFrameworkId(id: string): id is FrameworkId {
  return (FRAMEWORK_IDS as readonly string[]).includes(id);
}

/** True for the industries this reader knows. */
export function isIndustry(id: string): id is Industry {
  return (INDUSTRIES as readonly string[]).includes(id);
}

/** The frameworks an industry starts with; an unknown industry gets the `general` preset. */
export function presetFrameworks(industry: string): readonly FrameworkId[] {
  return isIndustry(industry) ? PRESETS[industry] : PRESETS.general;
}

/** A framework set as the document stores it: a map id → true (concurrent adds cannot duplicate). */
export function frameworkMap(ids: Iterable<string>): Record<string, true> {
  const out: Record<string, true> = {};
  for (const id of [...ids].sort()) out[id] = true;
  return out;
}
