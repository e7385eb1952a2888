// Exception requests and decisions, written through the cloud's Exceptions document with the pure
// lifecycle from schemas/ (the same one appliances read).
import {
  EXCEPTION_ID,
  type Exception,
  type ExceptionEvent,
  type ExceptionsDoc,
  OsirisError,
  applyExceptionTransition,
  exceptionSchema,
  newExceptionId,
  toPlain,
  transitionException,
} from '../../schemas/index.ts';
import { commonErrors } from '../../schemas/errors.ts';
import type { CloudSync } from '../../cloud/sync/cloud-sync.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { awaitProjection } from '../data/await-projection.ts';

function readException(raw: unknown): Exception | undefined {
  const r = exceptionSchema.safeParse(toPlain(raw));
  return r.success ? r.data : undefined;
}

async function currentDoc(sync: CloudSync, siteId: string): Promise<ExceptionsDoc> {
  const h = await sync.handle<ExceptionsDoc>(deriveDocId({ siteId }, 'exceptions'));
  await h.whenReady();
  return h.doc() as ExceptionsDoc;
}

/** Applies one lifecycle event to exception `id` (undefined = a new request); throws coded errors. */
export async function exceptionEvent(
  sql: SqlClient,
  sync: CloudSync,
  siteId: string,
  id: string | undefined,
  event: (others: Exception[], id: string) => ExceptionEvent,
  actor: string,
  now = Date.now(),
): Promise<string> {
  const exId = id ?? newExceptionId();
  if (!EXCEPTION_ID.test(exId)) throw new OsirisError(commonErrors.E_NOT_FOUND);
  const doc = await currentDoc(sync, siteId);
  const plainOthers = () =>
    Object.values(doc.exceptions)
      .map(readException)
      .filter((e): e is Exception => e !== undefined);
  const current = id === undefined ? undefined : readException(doc.exceptions[exId]);
  if (id !== undefined && current === undefined) throw new OsirisError(commonErrors.E_NOT_FOUND);
  const ev = event(plainOthers(), exId);
  const checked = transitionException(current, ev, now);
  if (!checked.ok) throw checked.error;
  const heads = await sync.editSiteDoc<ExceptionsDoc>(
    siteId,
    'exceptions',
    actor,
    `exception.${ev.type}`,
    (d) => {
      // Re-run against the document as it is inside the change: a concurrent decision wins once.
      const fresh = id === undefined ? undefined : readException(d.exceptions[exId]);
      const t = transitionException(fresh, ev, now);
      if (t.ok) applyExceptionTransition(d, t.value);
    },
  );
  await awaitProjection(sql, sync, siteId, 'exceptions', heads);
  return exId;
}
