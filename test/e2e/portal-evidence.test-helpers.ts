// Real evidence for portal tests: appliances enrolled through the registry, bundles signed by an
// EvidenceOutbox and drained to the cloud over HTTP, plus raw uploads for refusals (gaps, wrong site).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { EvidenceOutbox } from '../../appliance/evidence/outbox.ts';
import type { EvidenceRecord } from '../../appliance/evidence/sink.ts';
import type { CloudNode } from '../../cloud/cloud-node.ts';
import {
  type BundleContent,
  type Envelope,
  sealBundle,
  uploadStatement,
} from '../../sync/evidence/bundle.ts';
import { toBase64 } from '../../sync/evidence/bytes.ts';

export interface EvidenceAppliance {
  readonly applianceId: string;
  readonly secretKey: Uint8Array;
  readonly outbox: EvidenceOutbox;
}

/** Enrolls a fresh key at `siteId` and opens its outbox under `dir`. */
export async function evidenceAppliance(
  node: CloudNode,
  siteId: string,
  dir: string,
): Promise<EvidenceAppliance> {
  const kp = nacl.sign.keyPair();
  const token = await node.sync.registry.issueEnrollmentToken(siteId);
  const { applianceId } = await node.sync.registry.enroll(token, kp.publicKey);
  return { applianceId, secretKey: kp.secretKey, outbox: outboxFor(dir, siteId, applianceId, kp.secretKey) };
}

export function outboxFor(
  dir: string,
  siteId: string,
  applianceId: string,
  secretKey: Uint8Array,
): EvidenceOutbox {
  return new EvidenceOutbox({
    path: join(dir, `evidence-${createHash('sha256').update(applianceId).digest('hex').slice(0, 16)}.db`),
    siteId,
    applianceId,
    secretKey,
  });
}

const CHECKS = [
  'firewall_status',
  'bitlocker_status',
  'windows_defender',
  'linux_ssh_config',
  'backup_recent',
];

/** A check result or runbook execution of host ws-<n>; every fifth one fails. */
export function checkRecord(i: number, o: Partial<EvidenceRecord> = {}): EvidenceRecord {
  const healed = i % 3 === 0;
  return {
    kind: healed ? 'runbook_execution' : 'check_result',
    hostId: `ws-${(i % 4) + 1}`,
    checkType: CHECKS[i % CHECKS.length] as string,
    outcome: healed ? 'healed' : i % 5 === 4 ? 'fail' : 'pass',
    observedAt: new Date(Date.now() - (50 - i) * 60_000).toISOString(),
    controls: ['HIPAA 164.312(a)(2)(iv)'],
    ...(healed
      ? { runbookId: 'LIN-FW-001', stateBefore: { active: false }, stateAfter: { active: true } }
      : {}),
    ...o,
  };
}

/** Uploads envelopes as `applianceId` (signed with its key), bypassing the outbox's ordering. */
export async function uploadRaw(
  url: string,
  applianceId: string,
  secretKey: Uint8Array,
  bundles: readonly Envelope[],
): Promise<{ status: number; body: { results: { status: string; code?: string }[] } }> {
  const auth = nacl.sign.detached(
    uploadStatement(
      applianceId,
      bundles.map((b) => b.body),
    ),
    secretKey,
  );
  const res = await fetch(`${url}/api/evidence/bundles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appliance_id: applianceId, bundles, auth: toBase64(auth) }),
  });
  return { status: res.status, body: (await res.json()) as { results: { status: string; code?: string }[] } };
}

/** A validly signed bundle with any content (for refusals: gaps, other sites, hostile strings). */
export function rawBundle(
  a: { applianceId: string; secretKey: Uint8Array },
  content: Partial<Omit<BundleContent, 'format'>> &
    Pick<BundleContent, 'site_id' | 'chain_position' | 'prev_hash'>,
): Envelope {
  return sealBundle(
    {
      appliance_id: a.applianceId,
      key: toBase64(nacl.sign.keyPair.fromSecretKey(a.secretKey).publicKey),
      checked_at: new Date().toISOString(),
      kind: 'check_result',
      checks: [{ check: 'firewall_status', hostname: 'ws-1', status: 'pass' }],
      summary: { total_checks: 1, compliant: 1, non_compliant: 0, scanned_hosts: 1 },
      ...content,
    },
    a.secretKey,
  ).envelope;
}
