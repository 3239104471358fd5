#!/usr/bin/env node
/** The native-mlp command: dispatches, and maps user errors to one line and exit code 2. */
import { readFileSync } from 'node:fs';
import { benchCommand, evalCommand, infoCommand, inspectCommand, predictCommand, reportCommand, trainCommand } from './commands.js';
import { helpText } from './help.js';
import { sweepCommand, workerCommand } from './sweep-command.js';
import { UserError } from '../errors.js';


// A closed stdout (`native-mlp predict ... | head`) is the reader saying it has enough: stop
// quietly instead of dying on EPIPE with a stack trace. Other stream errors get one line.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && stream === process.stdout) {
      process.stderr.write(`native-mlp: cannot write the output: ${e.message}\n`);
      process.exit(2);
    }
    process.exit(process.exitCode ?? 0);
  });
}

/** A command may return its exit code (train: 130/143 after SIGINT/SIGTERM); otherwise 0. */
const COMMANDS: Record<string, (argv: string[]) => void | number | Promise<void | number>> = {
  train: trainCommand,
  eval: evalCommand,
  predict: predictCommand,
  inspect: inspectCommand,
  info: infoCommand,
  bench: benchCommand,
  report: reportCommand,
  sweep: sweepCommand,
  worker: workerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(helpText());
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
    if (e instanceof UserError) {
      process.stderr.write(`native-mlp: ${oneLine(e.message)}\n`);
      return 2;
    }
    // Not a user error: a bug. Say so, with the stack, so it can be reported.
    process.stderr.write(`native-mlp: internal error (please report it): ${e instanceof Error ? e.stack : String(e)}\n`);
    return 1;
  }
}

/** A message from a file or a flag may hold newlines; the CLI prints exactly one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

process.exitCode = await main(process.argv.slice(2));
