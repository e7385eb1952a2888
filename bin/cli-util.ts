// Small helpers shared by command handlers.

/** Parses an integer flag, or returns the fallback when absent; throws a usage error when malformed. */
export function intOption(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n))
    throw new UsageError(`expected an integer, got '${String(v)}'`);
  return n;
}

export function stringOption(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export class UsageError extends Error {}

/** Resolves on the first SIGTERM or SIGINT (systemd stop, Ctrl-C). */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(s);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}
