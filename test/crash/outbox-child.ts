// Child for the evidence outbox kill -9 test: records bundles as fast as it can (printing "ack <pos>"
// once each is durable) and drains to the cloud between bursts. The parent kills it at random.
import { EvidenceOutbox } from '../../appliance/evidence/outbox.ts';

const [path, siteId, applianceId, keyB64, cloudUrl] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const outbox = new EvidenceOutbox({
  path,
  siteId,
  applianceId,
  secretKey: new Uint8Array(Buffer.from(keyB64, 'base64')),
});
process.stdout.write(`ready ${outbox.head().position}\n`);
for (let burst = 0; ; burst++) {
  for (let i = 0; i < 20; i++) {
    await outbox.record({
      kind: 'check_result',
      hostId: `host-${i}`,
      checkType: 'firewall',
      outcome: i % 3 ? 'pass' : 'fail',
      observedAt: new Date().toISOString(),
    });
    process.stdout.write(`ack ${outbox.head().position}\n`);
  }
  const r = await outbox.drain(cloudUrl, { batchSize: 7 });
  process.stdout.write(`drained ${r.uploaded}${r.refused ? ` refused ${r.refused.code}` : ''}\n`);
}
