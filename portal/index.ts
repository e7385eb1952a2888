// Public API of portal/: mount it on a cloud node, seed demo logins, manage accounts.
export { type Portal, createPortal, portalMount } from './app.ts';
export { AccountStore, type NewAccount } from './accounts.ts';
export { type DemoLogin, seedDemo } from './seed-demo.ts';
export type { PortalDeps } from './http/request.ts';
export { html, escapeHtml, raw } from './html.ts';
