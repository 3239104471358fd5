#!/usr/bin/env node
/** The native-mlp command: dispatches, and maps user errors to one line and exit code 2. */
import { readFileSync } from 'node:fs';
import { benchCommand, evalCommand, infoCommand, predictCommand, trainCommand } from './commands.js';
import { HELP } from './help.js';

/** Errors that are the user's to fix: one line, exit code 2, no stack trace. */
const USER_ERRORS = new Set(['UsageError', 'DataError', 'BackendError', 'ModelFileError']);

const COMMANDS: Record<string, (argv: string[]) => void | Promise<void>> = {
  train: trainCommand,
  eval: evalCommand,
  predict: predictCommand,
  info: infoCommand,
  bench: benchCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  try {
    const run = COMMANDS[command];
    if (!run) {
      process.stderr.write(`native-mlp: unknown command "${command}"; see native-mlp --help\n`);
      return 2;
    }
    await run(rest);
    return 0;
  } catch (e) {
    if (!(e instanceof Error && USER_ERRORS.has(e.name))) throw e;
    process.stderr.write(`native-mlp: ${(e as Error).message}\n`);
    return 2;
  }
}

// `native-mlp predict ... | head`: a closed pipe ends the output quietly instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
