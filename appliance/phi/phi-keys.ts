import type { PhiCategory } from './phi-categories.ts';

/**
 * Object keys whose values are PHI whatever they look like (`{"ssn": 123456789}`). Keys are
 * normalised first (camelCase and dashes become snake_case, lower-case). Infrastructure keys
 * such as `ip_address` or `mac_address` are deliberately absent.
 */
const KEY_CATEGORIES: readonly (readonly [RegExp, PhiCategory])[] = [
  [/^(ssn|social_security(_number|_no)?)$/, 'SSN'],
  [/^(mrn|medical_record(_number|_no)?)$/, 'MRN'],
  [/^patient_?(id|identifier|number|no)$/, 'PATIENT-ID'],
  [/^(dob|date_of_birth|birth_?date)$/, 'DOB'],
  [/^(e_?mail|e_?mail_address|patient_email)$/, 'EMAIL'],
  [/^(phone|phone_number|telephone|mobile|cell|cell_phone|fax|home_phone|patient_phone)$/, 'PHONE'],
  [/^(address|street|street_address|home_address|mailing_address|address_line_?\d)$/, 'ADDRESS'],
  [/^(zip|zip_?code|postal_code|zip4|zip_plus_4)$/, 'ZIP4'],
  [/^(account_(number|no|num)|acct_(number|no|num))$/, 'ACCOUNT'],
  [/^(insurance_(id|number|no)|member_id|subscriber_id|policy_(number|no))$/, 'INSURANCE-ID'],
  [/^(mbi|medicare_(id|number|no|beneficiary_id))$/, 'MEDICARE-ID'],
  [/^(drivers?_licen[cs]e(_number|_no)?|dl_(number|no)|dln)$/, 'DRIVERS-LICENSE'],
  [/^(credit_card|card_number|cc_number|pan)$/, 'CREDIT-CARD'],
];

/** The category an object key marks its value with, if any. */
export function categoryOfKey(key: string): PhiCategory | undefined {
  const k = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
  for (const [pattern, category] of KEY_CATEGORIES) if (pattern.test(k)) return category;
  return undefined;
}
