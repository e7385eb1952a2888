import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { Journal, JournalEntry } from './journal.ts';

/** Documents that absorb journal entries record the last seq they applied, in the same change. */
export interface JournaledDoc {
  _journal_seq?: number;
}

/** Folds a batch of entries (all for one document, in seq order) into a draft of that document. */
export type Reducer = (
  draft: JournaledDoc & Record<string, unknown>,
  entries: readonly JournalEntry[],
) => void;

export interface CoalescerOptions {
  readonly journal: Journal;
  readonly repo: Repo;
  /** Resolves the handle of a document the journal addresses (creating it if it must exist). */
  readonly handleFor: (docId: DocumentId) => Promise<DocHandle<JournaledDoc>>;
  readonly reducer: Reducer;
  readonly batchSize?: number;
  readonly logger?: Logger;
}

/**
 * Applies journal entries to documents exactly once: each document's change carries the highest seq it
 * absorbed (`_journal_seq`), so a crash between the change and the prune replays nothing twice.
 */
export class Coalescer {
  private readonly batchSize: number;
  private readonly log: Logger;
  private running: Promise<number> | undefined;

  constructor(private readonly o: CoalescerOptions) {
    this.batchSize = o.batchSize ?? 50_000;
    this.log = o.logger ?? silentLogger;
  }

  /** Applies everything journaled so far; returns how many entries were applied. Calls never overlap. */
  flush(): Promise<number> {
    const prev = this.running ?? Promise.resolve(0);
    const next = prev.then(() => this.drain());
    this.running = next.finally(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  private async drain(): Promise<number> {
    let total = 0;
    let after = 0;
    const changed = new Set<DocumentId>();
    for (;;) {
      const batch = this.o.journal.read(after, this.batchSize);
      if (batch.length === 0) break;
      const byDoc = new Map<string, JournalEntry[]>();
      for (const e of batch) {
        const list = byDoc.get(e.docId) ?? [];
        list.push(e);
        byDoc.set(e.docId, list);
      }
      for (const [docId, entries] of byDoc) {
        const handle = await this.o.handleFor(docId as DocumentId);
        const applied = handle.doc()._journal_seq ?? 0;
        const fresh = entries.filter((e) => e.seq > applied);
        if (fresh.length === 0) continue;
        const last = (fresh[fresh.length - 1] as JournalEntry).seq;
        handle.change((d) => {
          this.o.reducer(d as JournaledDoc & Record<string, unknown>, fresh);
          d._journal_seq = last;
        });
        total += fresh.length;
        changed.add(docId as DocumentId);
      }
      after = (batch[batch.length - 1] as JournalEntry).seq;
    }
    if (after > 0) {
      // The documents' new state must be on disk before the journal forgets the entries. Only those
      // documents: flushing every handle would throw on one still loading (audit periods open in the
      // background at start).
      if (changed.size > 0) await this.o.repo.flush([...changed]);
      this.o.journal.pruneThrough(after);
      this.log.debug({ applied: total, through: after }, 'journal coalesced');
    }
    return total;
  }
}
