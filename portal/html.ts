// Escape-by-default HTML templates: every interpolated value is escaped unless it is already Html
// (the result of another html`` or an explicit raw() of trusted, static markup).

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Markup that is safe to emit as is. Only html``, raw() and join() create it. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

/** The template tag: `html\`<p>${userText}</p>\`` escapes userText. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Trusted markup, never user data (static SVG paths built from numbers, for instance). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** Joins fragments with a separator (both escaped unless Html). */
export function join(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  return new Html(parts.map(render).join(render(separator)));
}

/** An attribute that is present or absent (`checked`, `selected`, `disabled`). */
export function flag(name: 'checked' | 'selected' | 'disabled' | 'required', on: boolean): Html {
  return new Html(on ? ` ${name}` : '');
}
