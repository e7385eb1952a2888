#!/usr/bin/env node
// Launcher: TypeScript sources run through tsx's loader, so a fresh clone needs no build step.
import { setTimeout } from 'node:timers';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A command has finished once main() resolves (long-running ones resolve only when they stop): a
// handle some library left open must not keep the process alive (CI would hang). Give pending
// stdout/stderr writes a moment, then exit.
setTimeout(() => process.exit(code), 200).unref();
