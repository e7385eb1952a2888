import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs to stdout (systemd/journald friendly); LOG_LEVEL sets the level. */
export function createLogger(
  name: string,
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return options.destination
    ? pino({ name, level }, options.destination as pino.DestinationStream)
    : pino({ name, level });
}

/** A logger that drops everything: for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
