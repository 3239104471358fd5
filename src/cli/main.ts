#!/usr/bin/env node
/** The native-mlp command: dispatches, and maps user errors to one line and exit code 2. */
import { readFileSync } from 'node:fs';
import { benchCommand, evalCommand, infoCommand, predictCommand, trainCommand } from './commands.js';
import { HELP } from './help.js';

/** Errors that are the user's to fix: one line, exit code 2, no stack trace. */
const USER_ERRORS = new Set(['UsageError', 'DataError', 'BackendError', 'ModelFileError', 'NonFiniteLossError', 'TrainSetupError']);

/** A command may return its exit code (train: 130/143 after SIGINT/SIGTERM); otherwise 0. */
const COMMANDS: Record<string, (argv: string[]) => void | number | Promise<void | number>> = {
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
    const code = await run(rest);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (!(e instanceof Error && USER_ERRORS.has(e.name))) throw e;
    process.stderr.write(`native-mlp: ${(e as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
