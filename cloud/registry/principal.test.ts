import { describe, expect, it } from 'vitest';
import type { DocKind } from '../../sync/doc-ids.ts';
import { type DocumentEntry, type Principal, canRead, canWrite } from './principal.ts';

const me: Principal = { kind: 'appliance', applianceId: 'a1', siteId: 's1' };
const doc = (kind: DocKind, siteId: string, applianceId: string | null): DocumentEntry => ({
  docId: 'd',
  siteId,
  kind,
  applianceId,
  period: null,
});

describe('document ACL', () => {
  // [kind, site, owner appliance, may read, may write]
  const table: [DocKind, string, string | null, boolean, boolean][] = [
    ['site_settings', 's1', null, true, true],
    ['rule_book', 's1', null, true, false],
    ['exceptions', 's1', null, true, false],
    ['pattern_stats', 's1', 'a1', true, true],
    ['audit_trail', 's1', 'a1', true, true],
    ['pattern_stats', 's1', 'a2', false, false],
    ['audit_trail', 's1', 'a2', false, false],
    ['site_settings', 's2', null, false, false],
    ['rule_book', 's2', null, false, false],
    ['pattern_stats', 's2', 'a9', false, false],
  ];
  it.each(table)('appliance a1@s1 on %s of %s owned by %s: read=%s write=%s', (kind, site, owner, r, w) => {
    expect(canRead(me, doc(kind, site, owner))).toBe(r);
    expect(canWrite(me, doc(kind, site, owner))).toBe(w);
  });

  it('the cloud reads and writes everything', () => {
    for (const [kind, site, owner] of table) {
      expect(canRead({ kind: 'cloud' }, doc(kind, site, owner))).toBe(true);
      expect(canWrite({ kind: 'cloud' }, doc(kind, site, owner))).toBe(true);
    }
  });
});
