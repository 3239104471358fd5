#!/usr/bin/env node
/** The native-mlp command: dispatches, and maps user errors to one line and exit code 2. */
import { BackendError } from '../backend/select.js';
import { DataError } from '../data/idx.js';
import { ModelFileError } from '../model/index.js';
import { UsageError } from './args.js';
import { benchCommand, evalCommand, infoCommand, predictCommand, trainCommand } from './commands.js';
import { HELP } from './help.js';

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
  try {
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"; see native-mlp --help`);
    await run(rest);
    return 0;
  } catch (e) {
    const user = e instanceof UsageError || e instanceof DataError || e instanceof BackendError || e instanceof ModelFileError;
    if (!user) throw e;
    process.stderr.write(`native-mlp: ${(e as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
