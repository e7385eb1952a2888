/** PHI scrubber public API. */
export { createScrubber, MAX_DEPTH, type Scrubber, type ScrubResult } from './scrubber.ts';
export { PHI_CATEGORIES, type PhiCategory, type Redaction } from './phi-categories.ts';
export { isTag, TAG_PATTERN } from './redaction-tag.ts';
export { phiErrors } from './phi-errors.ts';
