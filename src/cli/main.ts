#!/usr/bin/env node
/** The native-mlp command: dispatches, and maps user errors to one line and exit code 2. */
import { readFileSync } from 'node:fs';
import { helpText } from './help.js';
import { UserError } from '../errors.js';
import { escapeText } from './print.js';

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

type Command = (argv: string[]) => void | number | Promise<void | number>;
const commands = () => import('./commands.js');
const exportServe = () => import('./export-serve.js');
const sweeps = () => import('./sweep-command.js');

/**
 * A command may return its exit code (train: 130/143 after SIGINT/SIGTERM); otherwise 0. Each
 * loads its own modules when it runs, so a command does not start by compiling all the others.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  train: async () => (await commands()).trainCommand,
  eval: async () => (await commands()).evalCommand,
  predict: async () => (await commands()).predictCommand,
  inspect: async () => (await commands()).inspectCommand,
  info: async () => (await commands()).infoCommand,
  bench: async () => (await commands()).benchCommand,
  report: async () => (await commands()).reportCommand,
  export: async () => (await exportServe()).exportCommand,
  serve: async () => (await exportServe()).serveCommand,
  sweep: async () => (await sweeps()).sweepCommand,
  worker: async () => (await sweeps()).workerCommand,
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
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!load) {
      process.stderr.write(`native-mlp: unknown command "${command}"; see native-mlp --help\n`);
      return 2;
    }
    const code = await (await load())(rest);
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

/**
 * A message from a file or a flag may hold newlines and escape sequences (a column or class name):
 * the CLI prints exactly one line, with control characters shown, not sent to the terminal.
 */
function oneLine(text: string): string {
  return escapeText(text.replace(/[\r\n]+/g, ' '), false);
}

process.exitCode = await main(process.argv.slice(2));
