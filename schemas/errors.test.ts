import { describe, expect, it } from 'vitest';
import { OsirisError, defineErrors, isOsirisError } from './errors.ts';

describe('coded errors', () => {
  const errs = defineErrors('test-area', {
    E_TEST_SHOWN: { message: 'shown message', status: 400, expose: true },
    E_TEST_HIDDEN: { message: 'generic message', status: 500 },
  });

  it('carries code, status and exposure', () => {
    const e = new OsirisError(errs.E_TEST_SHOWN, 'specific detail for the client');
    expect(e.code).toBe('E_TEST_SHOWN');
    expect(e.status).toBe(400);
    expect(e.toJSON()).toEqual({ code: 'E_TEST_SHOWN', message: 'specific detail for the client' });
    expect(isOsirisError(e, 'E_TEST_SHOWN')).toBe(true);
    expect(isOsirisError(new Error('x'))).toBe(false);
  });

  it('never leaks a non-exposed message to clients', () => {
    const e = new OsirisError(errs.E_TEST_HIDDEN, 'secret: connection string postgres://user:pw@host');
    expect(e.toJSON()).toEqual({ code: 'E_TEST_HIDDEN', message: 'generic message' });
  });

  it('rejects malformed codes and the same code in two areas', () => {
    expect(() => defineErrors('x', { bad: { message: 'm' } })).toThrow(/E_\[A-Z0-9_\]/);
    expect(() => defineErrors('other-area', { E_TEST_SHOWN: { message: 'm' } })).toThrow(/defined twice/);
  });
});
