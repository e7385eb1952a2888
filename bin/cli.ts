// `osiris` entry: finds the command, parses its flags strictly, prints help, runs it.
import { parseArgs } from 'node:util';
import { UsageError } from './cli-util.ts';
import { type Command, commands } from './commands.ts';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `osiris — local-first sync engine for clinic compliance appliances\n\nUsage: osiris <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nEvery command takes --help.\n`;
}

function commandHelp(c: Command): string {
  const opts = Object.entries(c.options)
    .filter(([name]) => name !== 'help')
    .map(([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}`);
  const status = c.load ? '' : `\nNot available yet: owned by ${c.owner ?? 'a later issue'}.\n`;
  return `${c.summary}\n\nUsage: ${c.usage}\n${opts.length ? `\nOptions:\n${opts.join('\n')}\n` : ''}${status}`;
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((p, i) => argv[i] === p) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

/** Runs the CLI and returns the exit code (0 ok, 1 failure, 2 usage or not-yet-available). */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(topHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      process.stdout.write(`${group.map((c) => `  ${c.usage}\n      ${c.summary}`).join('\n')}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    process.stderr.write(`osiris: unknown command '${argv.join(' ')}'\n\n${topHelp()}`);
    return 2;
  }
  const { command, rest } = found;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(
      `osiris ${command.path.join(' ')}: ${(e as Error).message}\n\n${commandHelp(command)}`,
    );
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  if (!command.load) {
    process.stderr.write(
      `osiris ${command.path.join(' ')}: E_NOT_IMPLEMENTED — not available yet (owned by ${command.owner ?? 'a later issue'}).\n`,
    );
    return 2;
  }
  const mod = await command.load();
  try {
    return await mod.run({ values: parsed.values, positionals: parsed.positionals });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`osiris ${command.path.join(' ')}: ${e.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    throw e;
  }
}
