/**
 * Stable, documented error codes. Every module defines its codes with `defineErrors`; the registry
 * feeds docs/errors.md (scripts/gen-error-docs.ts) and a test keeps code and docs equal.
 */

export interface ErrorSpec {
  /** What went wrong, in one sentence, safe to log. */
  readonly message: string;
  /** HTTP status when the error crosses an HTTP boundary. */
  readonly status?: number;
  /** Whether the message may be shown to a remote client (Koa's `expose`). */
  readonly expose?: boolean;
  /** The area that owns the code (sync, storage, evidence …), for the reference. */
  readonly area: string;
}

const registry = new Map<string, ErrorSpec>();

/** Registers a set of codes and returns them typed; a code defined twice is a programming error. */
export function defineErrors<const T extends Record<string, Omit<ErrorSpec, 'area'>>>(
  area: string,
  specs: T,
): { readonly [K in keyof T]: ErrorSpec & { readonly code: K } } {
  const out: Record<string, ErrorSpec & { code: string }> = {};
  for (const [code, spec] of Object.entries(specs)) {
    if (!/^E_[A-Z0-9_]+$/.test(code)) throw new Error(`error code ${code} must match E_[A-Z0-9_]+`);
    const existing = registry.get(code);
    if (existing && existing.area !== area) throw new Error(`error code ${code} defined twice`);
    const full = { ...spec, area, code };
    registry.set(code, full);
    out[code] = full;
  }
  return out as { readonly [K in keyof T]: ErrorSpec & { readonly code: K } };
}

/** All registered codes (only those whose modules have been imported). */
export function registeredErrors(): ReadonlyMap<string, ErrorSpec> {
  return registry;
}

/** An error carrying a stable code; `detail` is for logs, `expose` says if the message may reach a client. */
export class OsirisError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly detail: Record<string, unknown> | undefined;

  constructor(
    spec: ErrorSpec & { readonly code: string },
    message?: string,
    detail?: Record<string, unknown>,
  ) {
    super(message ?? spec.message);
    this.name = 'OsirisError';
    this.code = spec.code;
    this.status = spec.status ?? 500;
    this.expose = spec.expose ?? false;
    this.detail = detail;
  }

  toJSON(): { code: string; message: string } {
    return {
      code: this.code,
      message: this.expose ? this.message : (registry.get(this.code)?.message ?? this.message),
    };
  }
}

/** Narrowing helper: `isOsirisError(e, 'E_X')`. */
export function isOsirisError(e: unknown, code?: string): e is OsirisError {
  return e instanceof OsirisError && (code === undefined || e.code === code);
}

export const commonErrors = defineErrors('common', {
  E_INVALID_INPUT: { message: 'Input failed validation', status: 400, expose: true },
  E_NOT_FOUND: { message: 'Not found', status: 404, expose: true },
  E_NOT_IMPLEMENTED: {
    message: 'This command is owned by a later issue and does not exist yet',
    status: 501,
    expose: true,
  },
  E_INTERNAL: { message: 'Internal error', status: 500, expose: false },
});
