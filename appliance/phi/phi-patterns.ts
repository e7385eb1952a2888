import { isCardNumber } from './luhn.ts';
import type { PhiCategory } from './phi-categories.ts';

/**
 * Text patterns, most specific first. Patterns with a named group `v` redact only that group
 * (`MRN: [MRN-REDACTED-…]` keeps the keyword). Every quantifier that can follow an ambiguous
 * prefix is bounded, so matching stays roughly linear on long log lines. Infrastructure (IPs,
 * MACs, ordinary hostnames, timestamps, UUIDs, versions, process ids) must NOT match; the corpus
 * in corpus.ts holds both sides.
 */
export interface PhiPattern {
  readonly category: PhiCategory;
  readonly regex: RegExp;
  /** Extra check on the candidate (the `v` group when present). */
  readonly validate?: (candidate: string) => boolean;
}

// A keyword, then an optional `:`/`=`/`#`, then the value.
const SEP = String.raw`\s{0,3}[:=#]?\s{0,3}`;
const NUM_WORD = String.raw`(?:[ _-]?(?:number|num|no\.?|#))`;
// A value that contains at least one digit.
const ID_VALUE = (min: number, max: number) =>
  String.raw`(?=[A-Za-z-]{0,${max}}\d)[A-Za-z0-9][A-Za-z0-9-]{${min - 1},${max - 1}}(?![\w-])`;
const MONTH = String.raw`(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?`;
const DATE = String.raw`(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|${MONTH}\s{1,2}\d{1,2},?\s{1,2}\d{4}|\d{1,2}\s${MONTH}\s\d{4})`;
const MBI_L = '[AC-HJKMNP-RT-Y]';
const MBI_AN = '[AC-HJKMNP-RT-Y0-9]';
const STREET_SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy';
const NOT_IT_WORD =
  '(?!(?:Logical|Physical|Virtual|Network|Mapped|System|Removable|Local|Hard|Disk|USB|Optical)\\b)';

const re = (source: string, flags = 'g') => new RegExp(source, flags);

/** The patterns in the order they are applied. */
export const PHI_PATTERNS: readonly PhiPattern[] = [
  {
    category: 'PHI-PATH',
    regex: re(
      String.raw`(?<![^\s"'<>(=,;])[^\s"'<>]{0,1024}?[/\\](?:patients?|ehr|emr|medical[-_]?records?|health[-_]?records?)[/\\][^\s"'<>]{1,1024}`,
      'gi',
    ),
  },
  {
    category: 'EMAIL',
    regex: re(
      String.raw`(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![\w-])`,
    ),
  },
  {
    category: 'MEDICARE-ID',
    regex: re(String.raw`(?<![\w-])[1-9]${MBI_L}${MBI_AN}\d-?${MBI_L}${MBI_AN}\d-?${MBI_L}{2}\d{2}(?![\w-])`),
  },
  {
    category: 'SSN',
    regex: re(String.raw`(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])`),
  },
  {
    category: 'SSN',
    regex: re(
      String.raw`\b(?:SSN|social[ _-]security${NUM_WORD}?)${SEP}(?<v>\d{3}[ -]?\d{2}[ -]?\d{4})(?![\w-])`,
      'gi',
    ),
  },
  {
    category: 'CREDIT-CARD',
    regex: re(
      String.raw`(?<![\w-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{13,19})(?![\w-])`,
    ),
    validate: isCardNumber,
  },
  {
    category: 'DOB',
    regex: re(
      String.raw`\b(?:DOB|D\.O\.B\.?|date[ _-]of[ _-]birth|birth[ _-]?date|born(?:\s{1,2}on)?)${SEP}(?<v>${DATE})`,
      'gi',
    ),
  },
  {
    category: 'MRN',
    regex: re(String.raw`\b(?:MRN|medical[ _-]?record${NUM_WORD}?)${SEP}(?<v>${ID_VALUE(4, 20)})`, 'gi'),
  },
  {
    category: 'PATIENT-ID',
    regex: re(
      String.raw`\bpatient(?:[ _-]?(?:id|identifier)|${NUM_WORD})${SEP}(?<v>${ID_VALUE(3, 20)})`,
      'gi',
    ),
  },
  {
    category: 'INSURANCE-ID',
    regex: re(
      String.raw`\b(?:(?:insurance|member|subscriber)(?:[ _-]?id|${NUM_WORD})|policy${NUM_WORD})${SEP}(?<v>${ID_VALUE(5, 20)})`,
      'gi',
    ),
  },
  {
    category: 'ACCOUNT',
    regex: re(String.raw`\b(?:account|acct)${NUM_WORD}?${SEP}(?<v>\d{6,17})(?![\w-])`, 'gi'),
  },
  {
    category: 'DRIVERS-LICENSE',
    regex: re(
      String.raw`\b(?:driver'?s?[ _-]?licen[cs]e${NUM_WORD}?|DLN?${NUM_WORD}|DLN?(?=\s{0,3}[:=#]))${SEP}(?<v>${ID_VALUE(5, 20)})`,
      'gi',
    ),
  },
  {
    category: 'PATIENT-HOST',
    regex: re(
      String.raw`(?<![\w-])(?:PATIENT|ROOM|BED)-(?!(?:id|identifier|number|num|no)\b)[A-Za-z0-9][A-Za-z0-9-]{0,62}(?![\w-])`,
      'gi',
    ),
  },
  {
    category: 'PHONE',
    regex: re(
      String.raw`(?<![\w.+-])(?:(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}|\+[1-9]\d{0,2}(?:[ .-]\d{2,4}){2,4})(?![\w-]|\.\d)`,
    ),
  },
  { category: 'ZIP4', regex: re(String.raw`(?<![\w-])\d{5}-\d{4}(?![\w-])`) },
  {
    category: 'ADDRESS',
    regex: re(
      String.raw`(?<![\w.-])[1-9]\d{0,5}\s{1,3}(?:${NOT_IT_WORD}[A-Z][a-z]{1,20}\.?\s{1,3}){1,4}(?:${STREET_SUFFIX})\b\.?`,
    ),
  },
];
