// Entry of /static/evidence-verifier.js (bundled by esbuild when the portal starts). Wires the
// "Verify in browser" buttons of the Evidence page: fetch the bundle's packet, verify it here with the
// same code as the CLI, and show each check with its code. DOM built with textContent only (no HTML).
import { type BundleVerification, verifyBundlePacket } from './verify-bundle.ts';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(panel: HTMLElement, label: string, r: BundleVerification | { error: string }): void {
  panel.replaceChildren();
  panel.hidden = false;
  const head = el('div', 'verify-head');
  if ('error' in r) {
    panel.dataset['verifyState'] = 'error';
    head.append(el('strong', 'verify-title bad', 'Could not load the bundle'), el('span', 'muted', r.error));
    panel.append(head);
    return;
  }
  panel.dataset['verifyState'] = r.ok ? 'verified' : 'failed';
  head.append(
    el('span', r.ok ? 'badge badge-ok' : 'badge badge-bad', r.ok ? 'verified' : 'failed'),
    el(
      'strong',
      'verify-title',
      r.ok
        ? `${label} verified in your browser`
        : `${label} failed verification (${r.steps.filter((s) => !s.ok).length} check(s))`,
    ),
  );
  panel.append(head);
  const list = el('ol', 'verify-steps');
  for (const s of r.steps) {
    const li = el('li', s.ok ? 'step ok' : 'step bad');
    li.dataset['step'] = s.id;
    li.dataset['ok'] = String(s.ok);
    li.append(el('span', 'step-mark', s.ok ? '✓' : '✗'), el('span', 'step-label', s.label));
    if (s.code) li.append(el('code', 'step-code', s.code));
    li.append(el('div', 'step-detail small muted', s.detail));
    list.append(li);
  }
  panel.append(list);
  panel.append(
    el(
      'p',
      'small muted',
      'Computed in this browser with the verifier of "osiris evidence verify" (tweetnacl, strict S < L). ' +
        'Compare the log key with the one your provider published.',
    ),
  );
}

async function verify(button: HTMLButtonElement): Promise<void> {
  const url = button.dataset['verify'] ?? '';
  const panel = document.getElementById(button.dataset['panel'] ?? 'verify-panel');
  if (!panel || !url.startsWith('/')) return;
  const label = button.dataset['label'] ?? 'Bundle';
  button.disabled = true;
  panel.hidden = false;
  panel.dataset['verifyState'] = 'running';
  panel.replaceChildren(el('p', 'muted', `Verifying ${label}…`));
  try {
    const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`the portal answered ${res.status}`);
    render(panel, label, verifyBundlePacket(await res.json()));
  } catch (e) {
    render(panel, label, { error: (e as Error).message });
  } finally {
    button.disabled = false;
    panel.scrollIntoView({ block: 'nearest' });
  }
}

document.addEventListener('click', (ev) => {
  const target = ev.target instanceof Element ? ev.target.closest('button[data-verify]') : null;
  if (target instanceof HTMLButtonElement) void verify(target);
});
document.documentElement.dataset['verifier'] = 'ready';
