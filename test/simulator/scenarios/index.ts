// The named scenario library (docs/simulator.md shows how to add one).
import type { Scenario } from '../scenario.ts';
import adminOfflineWhilePartnerApproves from './admin-offline-while-partner-approves.ts';
import cloudRestartMidSync from './cloud-restart-mid-sync.ts';
import crashDuringCompaction from './crash-during-compaction.ts';
import reconnectStorm from './reconnect-storm.ts';
import splitBrainPartnerEdits from './split-brain-partner-edits.ts';
import weekLongOutage from './week-long-outage.ts';

export const SCENARIOS: readonly Scenario[] = [
  weekLongOutage,
  splitBrainPartnerEdits,
  crashDuringCompaction,
  reconnectStorm,
  cloudRestartMidSync,
  adminOfflineWhilePartnerApproves,
];
