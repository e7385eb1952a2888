// Stand-in evidence sink for the daemon until the signing outbox (appliance/evidence/outbox.ts) is
// wired in: each (already scrubbed) record is appended as one JSON line and fsynced before `record`
// resolves, so nothing is lost; the outbox can import the file later.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EvidenceRecord, EvidenceSink } from '../evidence/sink.ts';

/** Appends records to a JSON-lines file, durably. */
export class PendingEvidenceFile implements EvidenceSink {
  private readonly fd: number;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
  }

  record(r: EvidenceRecord): Promise<void> {
    writeSync(this.fd, `${JSON.stringify(r)}\n`);
    fsyncSync(this.fd);
    return Promise.resolve();
  }

  close(): void {
    closeSync(this.fd);
  }
}
