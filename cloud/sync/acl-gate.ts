import type * as A from '@automerge/automerge';
import type { DocumentId, Message, PeerId } from '@automerge/automerge-repo';
import { inspectSyncMessage } from '../../sync/acl/inspect-sync-message.ts';
import {
  type DocumentEntry,
  type Principal,
  canRead,
  canWrite,
  principalName,
} from '../registry/principal.ts';
import { registryErrors } from '../registry/registry-errors.ts';
import type { Registry } from '../registry/registry.ts';

export type GateDecision =
  | { readonly action: 'allow' }
  /** Not readable: answer exactly as for an unknown document, and do not pass the message on. */
  | { readonly action: 'unavailable'; readonly reply: Message }
  /** Not readable and nothing to answer (ephemeral, heads gossip): drop silently. */
  | { readonly action: 'drop' }
  /** A write-ACL breach: drop, disconnect the peer, record. */
  | { readonly action: 'violation'; readonly code: string; readonly detail: Record<string, unknown> };

export interface AclGateDeps {
  readonly registry: Registry;
  readonly cloudPeerId: PeerId;
  /** The cloud's current copy of a document (from cache or storage), undefined if it has none. */
  readonly currentDoc: (docId: DocumentId) => Promise<A.Doc<unknown> | undefined>;
  /** The genesis change hash of a registered document, accepted from any reader (see sync/genesis.ts). */
  readonly genesisHash: (entry: DocumentEntry) => string | undefined;
}

/**
 * Access control on every inbound message, not only at connect: reads are scoped to the peer's site,
 * and every change the cloud does not already have must come from a writer of that document under an
 * actor bound to that writer.
 */
export class AclGate {
  constructor(private readonly deps: AclGateDeps) {}

  async inbound(principal: Principal, msg: Message): Promise<GateDecision> {
    const docId = msg.documentId;
    if (!docId) return msg.type === 'remote-subscription-change' ? { action: 'allow' } : { action: 'drop' };
    const entry = await this.deps.registry.documentFor(principal, docId);
    if (!entry || !canRead(principal, entry)) {
      if (msg.type === 'sync' || msg.type === 'request') {
        return {
          action: 'unavailable',
          reply: {
            type: 'doc-unavailable',
            senderId: this.deps.cloudPeerId,
            targetId: msg.senderId,
            documentId: docId,
          },
        };
      }
      return { action: 'drop' };
    }
    if ((msg.type !== 'sync' && msg.type !== 'request') || !msg.data) return { action: 'allow' };
    const current = await this.deps.currentDoc(docId);
    // One decode and one load: the changes' authors, and whether they apply (inspect-sync-message.ts).
    const inspected = inspectSyncMessage(current, msg.data);
    if (!inspected.ok)
      return {
        action: 'violation',
        code: registryErrors.E_ACL_BAD_SYNC.code,
        detail: { docId, reason: inspected.reason },
      };
    if (inspected.changes.length === 0) return { action: 'allow' };
    const genesis = this.deps.genesisHash(entry);
    const writer = canWrite(principal, entry);
    const me = principalName(principal);
    for (const c of inspected.changes) {
      if (c.hash === genesis) continue;
      if (!writer)
        return {
          action: 'violation',
          code: registryErrors.E_ACL_WRITE_DENIED.code,
          detail: { docId, kind: entry.kind, actor: c.actor },
        };
      const owner = await this.deps.registry.bindActor(c.actor, me, docId);
      if (owner !== me)
        return {
          action: 'violation',
          code: registryErrors.E_ACL_FOREIGN_ACTOR.code,
          detail: { docId, actor: c.actor, owner },
        };
    }
    // Allowed authors; the changes must also apply, or the cloud's copy would be damaged mid-apply.
    if (inspected.applyError)
      return {
        action: 'violation',
        code: registryErrors.E_ACL_BAD_SYNC.code,
        detail: { docId, reason: inspected.applyError },
      };
    return { action: 'allow' };
  }

  /** Outbound filter: never send a peer a document it may not read. */
  async outbound(principal: Principal, msg: Message): Promise<boolean> {
    if (!msg.documentId) return true;
    const entry = await this.deps.registry.document(msg.documentId);
    return entry !== undefined && canRead(principal, entry);
  }
}
