// The example in docs/simulator.md: a local admin edits settings offline while partners approve an
// exception and edit their own fields in the cloud; the appliance restarts once, the cloud once.
import { scenario } from '../scenario.ts';

export default scenario({ name: 'admin offline while partner approves', sites: 1, appliances: 2 }, (s) => {
  s.outage(0, 48); // appliance 0 offline for 48 steps (healed automatically)
  s.exception(0, 2, 0, 'request'); // client session (2) requests exception #0
  s.repeat(48, (i) => {
    s.record(0, 2, { flush: i % 8 === 0 }); // incidents journaled offline
    if (i % 12 === 0) s.evidence(0, 1); // signed evidence queued offline
    if (i === 10) s.adminEdit(0); // local admin edits settings during the outage
    if (i === 11) s.partnerEdit(0, 1); // partner bob edits his own contact in the cloud
    if (i === 20) s.exception(0, 0, 0, 'approve'); // partner alice approves
    if (i === 30) s.crash(0); // appliance restarts from its stores
  });
  s.cloudRestart().wait(30); // settle after a cloud restart
});
