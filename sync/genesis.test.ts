import * as A from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { deriveDocId } from './doc-ids.ts';
import { genesisActor, genesisDoc, genesisHash, openWithGenesis } from './genesis.ts';

const docId = deriveDocId({ siteId: 's1' }, 'rule_book');
const initial = {
  kind: 'rule_book',
  siteId: 's1',
  schemaVersion: 1,
  rules: {} as Record<string, { enabled: boolean }>,
};

describe('deterministic genesis', () => {
  it('two replicas creating the same document independently produce one identical change', () => {
    const a = genesisDoc(docId, initial);
    const b = genesisDoc(docId, initial);
    expect(A.save(a)).toEqual(A.save(b));
    expect(A.getHeads(a)).toEqual([genesisHash(docId, initial)]);
    expect(A.decodeChange(A.getAllChanges(a)[0]!).actor).toBe(genesisActor(docId));
  });

  it('edits made on each side to the nested map both survive the merge', () => {
    const cloud = A.change(A.clone(genesisDoc(docId, initial), { actor: 'c0c0c0c0c0c0c0c0' }), (d) => {
      d.rules.r1 = { enabled: true };
    });
    const appliance = A.change(A.clone(genesisDoc(docId, initial), { actor: 'a0a0a0a0a0a0a0a0' }), (d) => {
      d.rules.r2 = { enabled: false };
    });
    const merged = A.merge(A.clone(cloud), appliance);
    expect(Object.keys(merged.rules).sort()).toEqual(['r1', 'r2']);
    // Without a shared genesis the two `rules` maps would conflict and one side's rule would vanish.
    const lonely = A.merge(
      A.from({ rules: { r1: { enabled: true } } } as { rules: Record<string, { enabled: boolean }> }),
      A.from({ rules: { r2: { enabled: false } } } as { rules: Record<string, { enabled: boolean }> }),
    );
    expect(Object.keys(lonely.rules)).toHaveLength(1);
  });

  it('openWithGenesis gives a repo handle with the derived id and edits under a fresh actor', async () => {
    const repo = new Repo({});
    const h = openWithGenesis(repo, docId, initial);
    expect(h.documentId).toBe(docId);
    h.change((d) => {
      d.rules.r9 = { enabled: true };
    });
    const actors = A.getAllChanges(h.doc()).map((c) => A.decodeChange(c).actor);
    expect(actors[0]).toBe(genesisActor(docId));
    expect(actors[1]).not.toBe(genesisActor(docId));
    expect(openWithGenesis(repo, docId, initial)).toBe(h);
    await repo.shutdown();
  });
});
