import * as A from '@automerge/automerge';
import type { DocHandle } from '@automerge/automerge-repo';
import type { Registry } from '../registry/registry.ts';

/**
 * Every change the cloud authors (portal edits, promotions) binds its actor to the cloud *before* the
 * change exists, so no peer can claim that actor first and pass forged "cloud" changes.
 */
export async function changeAsCloud<T>(
  registry: Registry,
  handle: DocHandle<T>,
  fn: A.ChangeFn<T>,
  message?: string,
): Promise<void> {
  await handle.whenReady();
  const actor = A.getActorId(handle.doc());
  await registry.bindActor(actor, 'cloud', handle.documentId);
  handle.change(fn, message === undefined ? {} : { message });
}
