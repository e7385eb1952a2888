// Reconnect storm: hundreds of appliances across several sites go offline together, each records
// incidents and evidence, then all links come back in the same step.
import { scenario } from '../scenario.ts';

export const STORM_APPLIANCES = Number(process.env.SIM_STORM_APPLIANCES ?? 120);

export default scenario({ name: 'reconnect storm', sites: 4, appliances: STORM_APPLIANCES }, (s) => {
  for (const a of s.all) s.partition(a);
  s.wait(1);
  for (const a of s.all) s.record(a, 3, { sig: a % 2 ? '00000000000000a1' : '00000000000000c3' });
  s.wait(1);
  for (const a of s.all) if (a % 5 === 0) s.evidence(a, 2);
  for (let site = 0; site < 4; site++) s.partnerEdit(site, site % 3);
  s.wait(2);
  for (const a of s.all) s.heal(a);
  s.wait(1).cloudRestart().wait(40);
});
