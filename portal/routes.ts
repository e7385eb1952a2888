// The route table: every site-scoped path resolves its site through the viewer first (404 otherwise).
import type { Handler, PortalDeps } from './http/request.ts';
import type { RouteTable } from './http/router.ts';
import { auditPage } from './pages/audit-page.ts';
import { bundlePacket, evidencePage, exportDownload } from './pages/evidence-page.ts';
import { decideException, exceptionsPage, requestExceptionPost } from './pages/exceptions-page.ts';
import { fleetPage } from './pages/fleet-page.ts';
import { rulesPage, toggleRule } from './pages/rules-page.ts';
import { saveSettings, settingsPage } from './pages/settings-page.ts';
import { statsPage } from './pages/stats-page.ts';

export function routes(t: RouteTable<Handler>, _deps: PortalDeps): RouteTable<Handler> {
  return t
    .add('GET', '/fleet', fleetPage)
    .add('GET', '/sites/:site/settings', settingsPage)
    .add('POST', '/sites/:site/settings', saveSettings)
    .add('GET', '/sites/:site/exceptions', exceptionsPage)
    .add('POST', '/sites/:site/exceptions', requestExceptionPost)
    .add('POST', '/sites/:site/exceptions/:exc/:decision', decideException)
    .add('GET', '/sites/:site/rules', rulesPage)
    .add('POST', '/sites/:site/rules/:rule', toggleRule)
    .add('GET', '/sites/:site/stats', statsPage)
    .add('GET', '/sites/:site/audit', auditPage)
    .add('GET', '/evidence', evidencePage)
    .add('GET', '/sites/:site/evidence/bundles/:index', bundlePacket)
    .add('GET', '/sites/:site/evidence/export', exportDownload);
}
