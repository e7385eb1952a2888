// Read-your-writes: after an edit, wait (briefly) until the projection reflects the heads the edit
// produced, so the page the user is sent back to shows their change.
import type { CloudSync } from '../../cloud/sync/cloud-sync.ts';
import { type DocKind, deriveDocId } from '../../sync/doc-ids.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';

export async function awaitProjection(
  sql: SqlClient,
  sync: CloudSync,
  siteId: string,
  kind: DocKind,
  heads: readonly string[],
  timeoutMs = 3000,
): Promise<boolean> {
  const docId = deriveDocId({ siteId }, kind);
  const want = [...heads].sort().join();
  const deadline = Date.now() + timeoutMs;
  // The repo debounces saves; flushing makes the change durable and so queued for projection now.
  await sync.flushReady();
  for (;;) {
    const r = await sql.query<{ heads: string[] }>('select heads from projection_state where doc_id = $1', [docId]);
    if ([...(r.rows[0]?.heads ?? [])].sort().join() === want) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
