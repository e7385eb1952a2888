import { type Html, html } from '../html.ts';
import { barePage } from './layout.ts';

export function loginPage(csrf: string, o: { error?: string; email?: string; next?: string } = {}): Html {
  return barePage(
    'Sign in',
    html`<section class="card login-card">
      <h1>Sign in</h1>
      <p class="muted">Partner and client portal</p>
      ${o.error ? html`<div class="notice error" role="alert">${o.error}</div>` : ''}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_csrf" value="${csrf}" />
        <input type="hidden" name="next" value="${o.next ?? '/fleet'}" />
        <label
          >E-mail<input type="email" name="email" autocomplete="username" required value="${o.email ?? ''}"
        /></label>
        <label
          >Password<input type="password" name="password" autocomplete="current-password" required
        /></label>
        <button class="btn btn-primary" type="submit">Sign in</button>
      </form>
    </section>`,
  );
}

export function errorPage(status: number, message: string): Html {
  return barePage(
    status === 404 ? 'Not found' : 'Error',
    html`<section class="card login-card">
      <h1>${status === 404 ? 'Not found' : `Error ${status}`}</h1>
      <p>${message}</p>
      <p><a class="btn" href="/fleet">Back to the fleet</a></p>
    </section>`,
  );
}
