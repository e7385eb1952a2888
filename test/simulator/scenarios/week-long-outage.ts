// An appliance offline for a week (one step = one hour) keeps healing, recording and signing evidence;
// its local admin edits settings while partners edit theirs in the cloud. After the link returns,
// everything merges: no increment, edit or bundle is lost.
import { scenario } from '../scenario.ts';

export default scenario({ name: 'week-long outage', sites: 1, appliances: 3 }, (s) => {
  s.outage(0, 7 * 24);
  s.repeat(7 * 24, (hour) => {
    s.record(0, 3, { flush: hour % 12 === 0 });
    if (hour % 6 === 0) s.evidence(0, 2);
    if (hour % 24 === 1) s.adminEdit(0);
    if (hour % 24 === 5) s.partnerEdit(0, hour % 3);
    if (hour % 8 === 0) s.record(1 + (hour % 2), 2);
  });
  s.exception(0, 1, 0, 'request').wait(1).exception(0, 0, 0, 'approve');
  s.wait(30);
});
