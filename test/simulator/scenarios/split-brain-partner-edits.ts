// Split brain: both appliances of a site are cut off while three cloud sessions edit settings and
// exceptions and each appliance's local admin edits its own fields. Every distinct-field edit survives.
import { scenario } from '../scenario.ts';

export default scenario({ name: 'split-brain partner edits', sites: 1, appliances: 2 }, (s) => {
  s.partition(0).partition(1).wait(1);
  s.repeat(20, (i) => {
    s.partnerEdit(0, i % 3);
    s.adminEdit(i % 2);
    s.record(i % 2, 2);
    if (i === 3) s.exception(0, 2, 0, 'request');
    if (i === 9) s.exception(0, 0, 0, 'approve');
    if (i === 12) s.exception(0, 1, 1, 'request');
    if (i === 15) s.exception(0, 2, 1, 'revoke');
  });
  s.heal(0).wait(3).partnerEdit(0, 1, 'after-heal').adminEdit(1, 'racing-heal');
  s.heal(1).wait(30);
});
