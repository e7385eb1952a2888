// Crash during compaction: many small flushed changes make automerge-repo compact the stats
// document's storage; the appliance restarts right after flushes, again and again, while offline
// and online. Nothing journaled may be lost or doubled.
import { scenario } from '../scenario.ts';

export default scenario({ name: 'crash during compaction', sites: 1, appliances: 2 }, (s) => {
  s.repeat(60, (i) => {
    s.record(0, 1 + (i % 4), { sig: i % 2 ? '00000000000000a1' : '00000000000000b2', flush: true });
    if (i % 7 === 6) s.crash(0);
    if (i % 11 === 10) s.evidence(0, 3).crash(0);
    if (i === 20) s.partition(0);
    if (i === 40) s.heal(0);
    if (i % 5 === 0) s.record(1, 2, { flush: true });
  });
  s.crash(1).wait(30);
});
