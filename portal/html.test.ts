import { describe, expect, it } from 'vitest';
import { escapeHtml, flag, html, join, raw } from './html.ts';

describe('html templates', () => {
  it('escapes every interpolated string, in content and attributes', () => {
    const evil = `<script>alert("x")</script>' onmouseover='y' \`z\` &amp;`;
    const out = html`<p title="${evil}">${evil}</p>`.toString();
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/'[^']*onmouseover/);
    expect(out).toBe(`<p title="${escapeHtml(evil)}">${escapeHtml(evil)}</p>`);
    expect(escapeHtml(`<>&"'\``)).toBe('&lt;&gt;&amp;&quot;&#39;&#96;');
  });

  // prettier-ignore
  it('nests fragments without double escaping, and escapes arrays element by element', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<div>${inner}</div>`.toString()).toBe('<div><b>&lt;i&gt;</b></div>');
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.toString()).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(join(['<x>', '<y>'], html`<br />`).toString()).toBe('&lt;x&gt;<br />&lt;y&gt;');
  });

  // prettier-ignore
  it('drops null, undefined and false; renders numbers; raw and flag are explicit', () => {
    expect(html`${null}${undefined}${false}${0}${3.5}`.toString()).toBe('03.5');
    expect(html`${raw('<svg></svg>')}`.toString()).toBe('<svg></svg>');
    expect(html`<input type="checkbox"${flag('checked', true)}${flag('disabled', false)} />`.toString()).toBe(
      '<input type="checkbox" checked />',
    );
  });
});
