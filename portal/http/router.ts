// A small route table: method + path pattern with named segments, matched in order.

export interface Match<H> {
  readonly handler: H;
  readonly params: Readonly<Record<string, string>>;
}

interface Route<H> {
  readonly method: string;
  readonly re: RegExp;
  readonly names: readonly string[];
  readonly handler: H;
}

const SEGMENT = '([^/]{1,200})';

export class RouteTable<H> {
  private readonly routes: Route<H>[] = [];

  /** `path` like `/sites/:site/settings`; segments match one URL path segment (decoded). */
  add(method: 'GET' | 'POST', path: string, handler: H): this {
    const names: string[] = [];
    const re = new RegExp(
      `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-z]+)/g, (_m, n: string) => {
        names.push(n);
        return SEGMENT;
      })}$`,
    );
    this.routes.push({ method, re, names, handler });
    return this;
  }

  match(method: string, path: string): Match<H> | 'method' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      try {
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      } catch {
        return undefined;
      }
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}
