// Who last wrote each settings field since some heads: every change after those heads is diffed on
// its own (its deps → itself), and the fields its patches touch are attributed to its author.
import * as A from '@automerge/automerge';

export interface Writer {
  /** The actor named in the change message (`partner:alice@…`), else a short Automerge actor id. */
  readonly who: string;
  /** Epoch ms (Automerge records seconds). */
  readonly at: number;
}

/** The field key a patch path belongs to (see settings-fields.ts). */
export function fieldKeyOfPath(path: readonly A.Prop[]): string | undefined {
  const [top, sub] = path;
  if (typeof top !== 'string') return undefined;
  if (top === 'enabled_frameworks') return typeof sub === 'string' ? `frameworks.${sub}` : undefined;
  if (top === 'checks' || top === 'contacts') return typeof sub === 'string' ? `${top}.${sub}` : undefined;
  return top;
}

export function writerOfMessage(message: string | null, actor: string): string {
  const m = /^([^\s:]+:[^\s]+): /.exec(message ?? '');
  return m?.[1] ?? `device ${actor.slice(0, 8)}`;
}

/** Field key → last writer, over the changes made after `since` (heads the user's form came from). */
export function fieldWriters(doc: A.Doc<unknown>, since: readonly string[]): Map<string, Writer> {
  const out = new Map<string, Writer>();
  let changes: Uint8Array[];
  try {
    changes = A.getChanges(A.view(doc, [...since]), doc);
  } catch {
    return out;
  }
  for (const bytes of changes) {
    const c = A.decodeChange(bytes);
    if (!c.hash) continue;
    let patches: A.Patch[];
    try {
      patches = A.diff(doc, c.deps, [c.hash]);
    } catch {
      continue;
    }
    const writer = { who: writerOfMessage(c.message, c.actor), at: c.time * 1000 };
    for (const p of patches) {
      const key = fieldKeyOfPath(p.path);
      if (key) out.set(key, writer);
    }
  }
  return out;
}
