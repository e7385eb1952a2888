// Cloud restart mid-sync: appliances come back from an outage with a backlog, and the cloud restarts
// from Postgres while their sync is in flight — twice, the second time during a promotion cycle.
import { scenario } from '../scenario.ts';

export default scenario({ name: 'cloud restart mid-sync', sites: 2, appliances: 4 }, (s) => {
  for (const a of s.all) s.outage(a, 30);
  s.repeat(30, (i) => {
    for (const a of s.all) s.record(a, 4, { resolved: true, flush: i % 10 === 0 });
    if (i % 10 === 5) s.evidence(i % 4, 3);
    if (i % 6 === 0) s.partnerEdit(i % 2, i % 3);
  });
  s.wait(1).cloudRestart();
  s.wait(3).promote();
  s.wait(1).cloudRestart();
  s.wait(2).adminEdit(1).partnerEdit(1, 0).promote();
  s.wait(40);
});
