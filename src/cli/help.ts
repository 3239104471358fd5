/** The CLI's usage text, drawn from the one flag table (flags.ts). */
import { COMMANDS, type FlagSpec, flagsOf } from './flags.js';

const INDENT = '  ';
/** Where the flag descriptions start (a longer flag pushes its own line's text further). */
const COLUMN = 28;

function flagLine(f: FlagSpec): string {
  const name = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` ${f.value}` : ''}`;
  const text = `${f.help}${f.default !== undefined ? ` (default ${f.default})` : ''}`;
  return `${INDENT}${name.padEnd(COLUMN - INDENT.length - 1)} ${text}`;
}

/** One command's flags by section: its own first, then the shared groups. */
function sections(command: string): [string, FlagSpec[]][] {
  const out = new Map<string, FlagSpec[]>();
  for (const f of flagsOf(command)) {
    const title = f.group ? `${f.group} (${command})` : command;
    out.set(title, [...(out.get(title) ?? []), f]);
  }
  return [...out].sort(([a], [b]) => (a === command ? -1 : b === command ? 1 : 0));
}

/** The usage of one command, or of every command when `command` is undefined. */
export function helpText(command?: string): string {
  const lines = ['Usage: native-mlp <command> [flags]   (native-mlp <command> --help: that command only)', ''];
  const chosen = COMMANDS.filter((c) => command === undefined || c.name === command);
  if (command === undefined) {
    lines.push('Commands:');
    for (const c of COMMANDS) lines.push(`${INDENT}${c.name.padEnd(10)}${c.summary}`);
    lines.push(`${INDENT}${'--version'.padEnd(10)}print the version of native-mlp`, '');
  }
  for (const c of chosen) {
    lines.push(`native-mlp ${c.name} ${c.usage}`.trimEnd(), `${INDENT}${c.summary}`);
    for (const [title, flags] of sections(c.name)) {
      lines.push(`${title === c.name ? 'flags' : title}:`, ...flags.map(flagLine));
    }
    lines.push('');
  }
  return lines.join('\n');
}
