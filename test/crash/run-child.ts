// Runs a crash-test child under tsx, collecting its stdout lines; `onLine` sees each line with a
// SIGKILL switch, so a test kills the child after a chosen amount of reported work.
import { spawn } from 'node:child_process';

export interface ChildRun {
  readonly signal: NodeJS.Signals | null;
  readonly lines: string[];
  readonly stderr: string;
}

export function runChild(
  script: string,
  args: readonly string[],
  onLine: (line: string, kill: (afterMs: number) => void) => void = () => undefined,
): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let buf = '';
    const kill = (afterMs: number) => setTimeout(() => child.kill('SIGKILL'), afterMs);
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        onLine(line, kill);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, signal) => resolve({ signal, lines, stderr }));
  });
}
