import * as A from '@automerge/automerge';
import type { DocumentId, PeerId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { genesisDoc, genesisHash } from '../../sync/genesis.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../../test/helpers/pg.ts';
import type { Principal } from '../registry/principal.ts';
import { Registry } from '../registry/registry.ts';
import { AclGate } from './acl-gate.ts';

type D = Record<string, unknown>;
const initial = (kind: string) => ({ kind, schemaVersion: 1, items: {} });

/** A sync message from `from` to a peer that has `to`, carrying what `to` lacks. */
function syncMessage(from: A.Doc<D>, to: A.Doc<D>): Uint8Array {
  let s1 = A.initSyncState();
  let s2 = A.initSyncState();
  let b = A.clone(to);
  from = A.clone(from);
  for (let i = 0; i < 10; i++) {
    const [n1, m1] = A.generateSyncMessage(from, s1);
    s1 = n1;
    if (m1 && A.decodeSyncMessage(m1).changes.length > 0) return m1;
    if (!m1) break;
    [b, s2] = A.receiveSyncMessage(b, s2, m1);
    const [n2, m2] = A.generateSyncMessage(b, s2);
    s2 = n2;
    if (m2) [from, s1] = A.receiveSyncMessage(from, s1, m2);
  }
  throw new Error('no changes to send');
}

describe('AclGate (real Postgres)', () => {
  let db: TestDatabase;
  let reg: Registry;
  let gate: AclGate;
  let me: Principal;
  let other: Principal;
  const cloudDocs = new Map<string, A.Doc<D>>();
  const cloud = 'cloud' as PeerId;
  const msg = (docId: DocumentId, data: Uint8Array) => ({
    type: 'sync',
    senderId: 'x' as PeerId,
    targetId: cloud,
    documentId: docId,
    data,
  });

  beforeAll(async () => {
    db = await createTestDatabase('gate');
    const sql = new PgSqlClient(db.pool);
    await migrate(sql);
    reg = new Registry(sql);
    await reg.createPartner('p', 'P');
    await reg.createSite({ id: 's1', partnerId: 'p', name: 'A' });
    await reg.createSite({ id: 's2', partnerId: 'p', name: 'B' });
    me = {
      kind: 'appliance',
      ...(await reg.enroll(await reg.issueEnrollmentToken('s1'), new Uint8Array(32).fill(1))),
    };
    other = {
      kind: 'appliance',
      ...(await reg.enroll(await reg.issueEnrollmentToken('s1'), new Uint8Array(32).fill(2))),
    };
    gate = new AclGate({
      registry: reg,
      cloudPeerId: cloud,
      currentDoc: async (id) => cloudDocs.get(id),
      genesisHash: (e) => genesisHash(e.docId as DocumentId, initial(e.kind)),
    });
  });
  afterAll(() => db.drop());

  it('answers a foreign site document exactly like an unknown one', async () => {
    const foreign = deriveDocId({ siteId: 's2' }, 'site_settings');
    const unknown = deriveDocId({ siteId: 'nowhere' }, 'site_settings');
    const a = await gate.inbound(me, {
      type: 'request',
      senderId: 'x' as PeerId,
      targetId: cloud,
      documentId: foreign,
      data: new Uint8Array(),
    });
    const b = await gate.inbound(me, {
      type: 'request',
      senderId: 'x' as PeerId,
      targetId: cloud,
      documentId: unknown,
      data: new Uint8Array(),
    });
    expect(a.action).toBe('unavailable');
    expect(b.action).toBe('unavailable');
    if (a.action === 'unavailable' && b.action === 'unavailable')
      expect({ ...a.reply, documentId: 'id' }).toEqual({ ...b.reply, documentId: 'id' });
    const theirs = deriveDocId(
      { siteId: 's1', applianceId: (other as { applianceId: string }).applianceId },
      'pattern_stats',
    );
    expect((await gate.inbound(me, msg(theirs, new Uint8Array([1])))).action).toBe('unavailable');
  });

  it('accepts own writes and the genesis from anyone, rejects RuleBook edits and forged actors', async () => {
    const rules = deriveDocId({ siteId: 's1' }, 'rule_book');
    const g = genesisDoc(rules, initial('rule_book')) as A.Doc<D>;
    expect((await gate.inbound(me, msg(rules, syncMessage(g, A.init())))).action).toBe('allow');
    cloudDocs.set(rules, g);
    const edited = A.change(A.clone(g, { actor: 'aa11aa11aa11aa11' }), (d) => {
      (d.items as D).evil = 1;
    });
    const denied = await gate.inbound(me, msg(rules, syncMessage(edited, g)));
    expect(denied).toMatchObject({ action: 'violation', code: 'E_ACL_WRITE_DENIED' });

    const settings = deriveDocId({ siteId: 's1' }, 'site_settings');
    const sg = genesisDoc(settings, initial('site_settings')) as A.Doc<D>;
    cloudDocs.set(settings, sg);
    await reg.bindActor('c1c1c1c1c1c1c1c1', 'cloud', settings);
    const forged = A.change(A.clone(sg, { actor: 'c1c1c1c1c1c1c1c1' }), (d) => {
      d.healing_tier = 'full_coverage';
    });
    expect(await gate.inbound(me, msg(settings, syncMessage(forged, sg)))).toMatchObject({
      action: 'violation',
      code: 'E_ACL_FOREIGN_ACTOR',
    });
    const honest = A.change(A.clone(sg, { actor: 'b2b2b2b2b2b2b2b2' }), (d) => {
      d.healing_tier = 'standard';
    });
    expect((await gate.inbound(me, msg(settings, syncMessage(honest, sg)))).action).toBe('allow');
    // The actor is now bound to `me`; the other appliance cannot reuse it.
    const stolen = A.change(A.clone(honest, { actor: 'b2b2b2b2b2b2b2b2' }), (d) => {
      d.notes = 'x';
    });
    expect(await gate.inbound(other, msg(settings, syncMessage(stolen, sg)))).toMatchObject({
      action: 'violation',
      code: 'E_ACL_FOREIGN_ACTOR',
    });
  });

  it('flags undecodable sync data as a violation, without throwing', async () => {
    const settings = deriveDocId({ siteId: 's1' }, 'site_settings');
    expect(await gate.inbound(me, msg(settings, new Uint8Array([0x42, 1, 2, 3])))).toMatchObject({
      action: 'violation',
      code: 'E_ACL_BAD_SYNC',
    });
  });
});
