// Type-level guard (checked by tsc): the RuleBook and Exceptions document types from schemas/ can be
// handed to the engine as they are, because the engine's inputs are structural.
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { exceptionSchema } from '../../schemas/exceptions.ts';
import type { ruleSchema } from '../../schemas/rule-book.ts';
import type { ComplianceException, L1Rule } from './types.ts';

describe('schema compatibility', () => {
  it('document rules and exceptions are engine inputs', () => {
    expectTypeOf<z.infer<typeof ruleSchema>>().toExtend<L1Rule>();
    expectTypeOf<z.infer<typeof exceptionSchema>>().toExtend<ComplianceException>();
  });
});
