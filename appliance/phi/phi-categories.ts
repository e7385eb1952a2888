/** PHI categories the scrubber knows; each names its redaction tag (`[SSN-REDACTED-…]`). */
export const PHI_CATEGORIES = [
  'SSN',
  'MRN',
  'PATIENT-ID',
  'PHONE',
  'EMAIL',
  'CREDIT-CARD',
  'DOB',
  'ADDRESS',
  'ZIP4',
  'ACCOUNT',
  'INSURANCE-ID',
  'MEDICARE-ID',
  'DRIVERS-LICENSE',
  'PHI-PATH',
  'PATIENT-HOST',
  /** A value the walker could not inspect (a throwing getter, …); redacted whole, fail closed. */
  'UNSCRUBBABLE',
] as const;

export type PhiCategory = (typeof PHI_CATEGORIES)[number];

/** One redaction: what kind and where (`$.details.message`, `$.hosts[2]`); the path never holds PHI. */
export interface Redaction {
  readonly category: PhiCategory;
  readonly path: string;
}
