import { describe, expect, it } from 'vitest';
import { isOsirisError } from '../../schemas/errors.ts';
import { compileCondition } from './conditions.ts';

const incident = {
  id: 'i1',
  host_id: 'h1',
  check_type: 'disk_space',
  platform: 'debian',
  enabled: true,
  flag: 'true',
  tags: ['a', 'b'],
  details: {
    usage_percent: 95,
    as_string: '95',
    zero: 0,
    empty: '',
    nul: null,
    msg: 'Disk /var is full',
    neg: '-2.5',
  },
};

type Row = readonly [field: string, operator: string, value: unknown, expected: boolean];

// Every operator against present, missing, null and type-mismatched fields.
const table: readonly Row[] = [
  // eq / ne
  ['platform', 'eq', 'debian', true],
  ['platform', 'eq', 'Debian', false],
  ['details.usage_percent', 'eq', 95, true],
  ['details.usage_percent', 'eq', '95', true],
  ['details.as_string', 'eq', 95, true],
  ['details.as_string', 'eq', 95.0, true],
  ['details.usage_percent', 'eq', '95.0', true],
  ['details.usage_percent', 'eq', '0x5f', false],
  ['details.usage_percent', 'eq', ' 95', false],
  ['details.zero', 'eq', '', false],
  ['details.zero', 'eq', false, false],
  ['enabled', 'eq', true, true],
  ['enabled', 'eq', 'true', true],
  ['flag', 'eq', true, true],
  ['flag', 'eq', 1, false],
  ['tags', 'eq', ['a', 'b'], true],
  ['missing', 'eq', 'x', false],
  ['details.nul', 'eq', null, false],
  ['details.missing.deeper', 'eq', 'x', false],
  ['platform', 'ne', 'nixos', true],
  ['platform', 'ne', 'debian', false],
  ['details.as_string', 'ne', 95, false],
  ['missing', 'ne', 'nixos', false],
  ['details.nul', 'ne', 'x', false],
  // contains (string form)
  ['details.msg', 'contains', 'full', true],
  ['details.msg', 'contains', 'FULL', false],
  ['details.usage_percent', 'contains', '9', true],
  ['details.usage_percent', 'contains', 5, true],
  ['tags', 'contains', '"b"', true],
  ['enabled', 'contains', 'ru', true],
  ['missing', 'contains', '', false],
  ['details.nul', 'contains', 'null', false],
  // regex (unanchored)
  ['details.msg', 'regex', '/var', true],
  ['details.msg', 'regex', '^Disk', true],
  ['details.msg', 'regex', '^disk', false],
  ['details.msg', 'regex', '(?i)^disk', true],
  ['details.usage_percent', 'regex', '^9\\d$', true],
  ['missing', 'regex', '.*', false],
  ['details.nul', 'regex', 'null', false],
  // gt / lt
  ['details.usage_percent', 'gt', 90, true],
  ['details.usage_percent', 'gt', '90', true],
  ['details.usage_percent', 'gt', 95, false],
  ['details.as_string', 'gt', 90, true],
  ['details.neg', 'lt', 0, true],
  ['details.zero', 'lt', 1, true],
  ['details.empty', 'lt', 1, false],
  ['details.msg', 'gt', 0, false],
  ['enabled', 'gt', 0, false],
  ['tags', 'gt', 0, false],
  ['missing', 'gt', 0, false],
  ['details.nul', 'lt', 1, false],
  // in / not_in
  ['platform', 'in', ['debian', 'ubuntu'], true],
  ['platform', 'in', ['nixos'], false],
  ['details.as_string', 'in', [94, 95], true],
  ['missing', 'in', ['x', null], false],
  ['platform', 'not_in', ['nixos'], true],
  ['platform', 'not_in', ['debian'], false],
  ['missing', 'not_in', ['x'], false],
  ['details.nul', 'not_in', ['x'], false],
  // exists
  ['platform', 'exists', true, true],
  ['platform', 'exists', undefined, true],
  ['details.zero', 'exists', true, true],
  ['details.empty', 'exists', true, true],
  ['missing', 'exists', true, false],
  ['details.nul', 'exists', true, false],
  ['missing', 'exists', false, true],
  ['platform', 'exists', false, false],
  // prototype paths never resolve
  ['constructor', 'exists', true, false],
  ['details.__proto__', 'exists', true, false],
  ['tags.1', 'eq', 'b', true],
  ['tags.01', 'exists', true, false],
];

describe('condition operators', () => {
  it.each(table)('%s %s %j → %s', (field, operator, value, expected) => {
    const c = compileCondition({ field, operator, value }, 'rule-1');
    expect(c(incident)).toBe(expected);
  });

  it('truncates regex input at 4096 characters', () => {
    const c = compileCondition({ field: 'm', operator: 'regex', value: 'END' }, 'r-1');
    expect(c({ m: `${'a'.repeat(4092)}END` })).toBe(true);
    expect(c({ m: `${'a'.repeat(4094)}END` })).toBe(false);
  });

  const invalid: readonly [string, string, unknown, string][] = [
    ['a', 'like', 'x', 'E_L1_INVALID_RULE'],
    ['', 'eq', 'x', 'E_L1_INVALID_RULE'],
    ['a..b', 'eq', 'x', 'E_L1_INVALID_RULE'],
    ['a', 'eq', undefined, 'E_L1_INVALID_RULE'],
    ['a', 'gt', 'ninety', 'E_L1_INVALID_RULE'],
    ['a', 'lt', null, 'E_L1_INVALID_RULE'],
    ['a', 'in', 'x', 'E_L1_INVALID_RULE'],
    ['a', 'exists', 'yes', 'E_L1_INVALID_RULE'],
    ['a', 'contains', null, 'E_L1_INVALID_RULE'],
    ['a', 'regex', 5, 'E_L1_INVALID_RULE'],
    ['a', 'regex', '(unclosed', 'E_L1_UNSAFE_REGEX'],
    ['a', 'regex', '(a+)+$', 'E_L1_UNSAFE_REGEX'],
  ];
  it.each(invalid)('rejects %j %s %j with %s', (field, operator, value, code) => {
    let caught: unknown;
    try {
      compileCondition({ field, operator, value }, 'rule-1');
    } catch (e) {
      caught = e;
    }
    expect(isOsirisError(caught, code)).toBe(true);
  });
});
