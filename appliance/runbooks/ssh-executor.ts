import type { ClientChannel } from 'ssh2';
import { OsirisError } from '../../schemas/errors.ts';
import { runbookErrors } from './runbook-errors.ts';
import { buildCommand } from './shell-quote.ts';
import type { SshConnectionPool } from './ssh-pool.ts';
import type { CommandExecutor, CommandResult, SshTarget } from './types.ts';

/** Output kept per stream; the rest is dropped (with a marker). */
export const MAX_OUTPUT_BYTES = 64 * 1024;

class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  push(chunk: Buffer): void {
    const room = MAX_OUTPUT_BYTES - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.truncated ||= part.length < chunk.length;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8') + (this.truncated ? '\n[output truncated]' : '');
  }
}

/**
 * Runs argument vectors over pooled SSH connections. Every argument is shell-quoted (the remote
 * side hands the string to the login shell). On timeout the remote process is sent KILL and the
 * channel closed; a connection lost mid-command is dropped from the pool.
 */
export class SshExecutor implements CommandExecutor {
  constructor(private readonly pool: SshConnectionPool) {}

  async run(
    target: SshTarget,
    argv: readonly string[],
    options: { readonly timeoutMs: number },
  ): Promise<CommandResult> {
    const command = buildCommand(argv);
    const client = await this.pool.acquire(target);
    const started = performance.now();
    return new Promise<CommandResult>((resolve, reject) => {
      const stdout = new CappedBuffer();
      const stderr = new CappedBuffer();
      let channel: ClientChannel | undefined;
      let exit: { code: number | null; signal: string | null } | undefined;
      let settled = false;
      const finish = (err: OsirisError | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.off('close', onLost);
        if (err) return reject(err);
        resolve({
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          stdout: stdout.text(),
          stderr: stderr.text(),
          durationMs: Math.round(performance.now() - started),
        });
      };
      const onLost = (): void => {
        this.pool.invalidate(target, client);
        finish(new OsirisError(runbookErrors.E_RUNBOOK_CONNECTION_LOST, undefined, { argv0: argv[0] }));
      };
      const timer = setTimeout(() => {
        try {
          channel?.signal('KILL');
          channel?.close();
        } catch {
          // the channel is already gone; nothing to stop
        }
        finish(new OsirisError(runbookErrors.E_RUNBOOK_TIMEOUT, `timed out after ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      client.once('close', onLost);
      client.exec(command, (err, stream) => {
        if (err) return onLost();
        channel = stream;
        stream.on('data', (c: Buffer) => stdout.push(c));
        stream.stderr.on('data', (c: Buffer) => stderr.push(c));
        stream.on('exit', (code: number | null, signal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
        });
        stream.on('close', () => (exit ? finish(undefined) : onLost()));
      });
    });
  }
}
